import json
from collections import Counter
from playwright.sync_api import expect
from tests.e2e.test_phone_budgets import Throttled, _patient_session
from tests.conftest import PASSWORD

def agg(profile):
    nodes = {n["id"]: n for n in profile["nodes"]}
    self_t = Counter()
    deltas = profile["timeDeltas"]
    for sid, dt in zip(profile["samples"], deltas):
        n = nodes[sid]["callFrame"]
        self_t[f'{n["functionName"] or "(anon)"} {n["url"].rsplit("/",1)[-1]}:{n["lineNumber"]}'] += dt
    return self_t

def test_profile(browser, system, world):
    state = _patient_session(browser, world)
    phone = Throttled(browser, system.base, storage_state=state)
    phone.cdp.send("Profiler.enable")
    phone.cdp.send("Profiler.setSamplingInterval", {"interval": 200})
    phone.cdp.send("Profiler.start")
    phone.page.goto("/book")
    card = phone.page.get_by_role("button", name=f"Ver huecos: {world.doctor['full_name']}")
    expect(card).to_be_visible(timeout=20000)
    p1 = phone.cdp.send("Profiler.stop")["profile"]
    phone.page.wait_for_load_state("networkidle")
    phone.cdp.send("Profiler.start")
    card.click()
    expect(phone.page.locator(".time-picker button.time").first).to_be_visible(timeout=20000)
    p2 = phone.cdp.send("Profiler.stop")["profile"]
    for name, p in (("load", p1), ("click", p2)):
        a = agg(p)
        tot = sum(a.values())
        print(f"\n== {name} total {tot/1000:.0f} ms")
        for k, v in a.most_common(25):
            print(f"{v/1000:8.1f} ms {k}")
    phone.close()
