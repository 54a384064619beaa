/**
 * The page frame: skip link, top bar, notices. On a phone the bar is one row (the name and a "Menu" button);
 * the links, the language switch and the account open below it as a disclosure (closed again by choosing a
 * link, Escape, or the button). On wider screens everything is in the bar and the button is not shown.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { NavLink, useLocation, useNavigate } from "react-router";
import { api } from "../lib/api.js";
import { useI18n } from "../lib/i18n.jsx";
import { useSession } from "../lib/session.jsx";

const LINKS = {
  patient: [["/book", "nav.book"], ["/appointments", "nav.appointments"], ["/waitlist", "nav.waitlist"], ["/record", "nav.record"], ["/account", "nav.account"]],
  doctor: [["/agenda", "nav.agenda"], ["/schedule", "nav.schedule"], ["/account", "nav.account"]],
  receptionist: [["/desk", "nav.desk"], ["/account", "nav.account"]],
  admin: [["/admin", "nav.admin"], ["/desk", "nav.desk"], ["/account", "nav.account"]],
  visitor: [["/book", "nav.book"]], // the sign-in form is the home page; booking is open to visitors
};

function LanguageSwitch() {
  const { t, locale, setLocale } = useI18n();
  const { user } = useSession();
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: (next) => api("/me", { method: "PATCH", body: { locale: next } }),
    scope: { id: "locale" }, // one at a time, in order: the last choice is the one saved
    onSuccess: (account) => queryClient.setQueryData(["me"], account),
  });
  const change = (next) => {
    setLocale(next);
    if (user) save.mutate(next);
  };
  return (
    <div className="lang" role="group" aria-label={t("app.language")} aria-busy={save.isPending}>
      {[["es", "Español"], ["en", "English"]].map(([code, name]) => (
        <button key={code} type="button" lang={code} aria-pressed={locale === code}
          className={locale === code ? "lang-on" : ""} onClick={() => change(code)}>{name}</button>
      ))}
    </div>
  );
}

export function Layout({ children }) {
  const { t } = useI18n();
  const { user, signOut, notice, clearNotice } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [open, setOpen] = useState(false);
  const toggle = useRef(null);
  useEffect(() => setOpen(false), [location.pathname]); // a link was followed: the menu has done its job
  const onKeyDown = (e) => {
    if (e.key === "Escape" && open) {
      setOpen(false);
      toggle.current?.focus();
    }
  };
  return (
    <>
      <a className="skip" href="#main">{t("app.skip")}</a>
      <header className="topbar" onKeyDown={onKeyDown}>
        <span className="brand">{t("app.name")}</span>
        <button type="button" className="menu-toggle" ref={toggle} aria-expanded={open} aria-controls="site-menu"
          onClick={() => setOpen((v) => !v)}>
          <span aria-hidden="true" className="menu-icon">{open ? "✕" : "☰"}</span> {t("app.menu")}
        </button>
        <div id="site-menu" className={`site-menu${open ? " site-menu-open" : ""}`}>
          <nav aria-label={t("app.mainNav")}>
            <ul>
              {(LINKS[user ? user.role : "visitor"] || []).map(([to, key]) => (
                <li key={to}><NavLink to={to}>{t(key)}</NavLink></li>
              ))}
            </ul>
          </nav>
          <div className="topbar-end">
            <LanguageSwitch />
            {user && (
              <>
                <span className="who">{t("app.signedInAs", { name: user.full_name })} · {t(`roles.${user.role}`)}</span>
                <button type="button" className="link-button" onClick={async () => { await signOut(); navigate("/login"); }}>
                  {t("app.signOut")}
                </button>
              </>
            )}
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {notice && (
          <div className="alert alert-info" role="status">
            <p>{t(notice)}</p>
            <button type="button" className="link-button" onClick={clearNotice}>{t("app.close")}</button>
          </div>
        )}
        {children}
      </main>
    </>
  );
}
