/* Reads one iCalendar document on stdin with libical (Evolution's engine) and prints what it understood,
 * one JSON object: the METHOD, libical's own errors (X-LIC-ERROR, after icalrestriction_check, which
 * applies the iTIP rules of the METHOD) and, per VEVENT, the UID, SEQUENCE, STATUS, PARTSTAT, TZID and
 * the start and end as Unix times. Times are converted with icaltime_as_timet_with_zone and the zone
 * libical resolved for the TZID, i.e. through the document's own VTIMEZONE (the tests rename TZIDs so
 * libical's built-in database cannot stand in for it). Built by tests/calendars/libical_reader.py. */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void json_string(const char *s) {
    putchar('"');
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\') printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20) printf("\\u%04x", *s);
        else putchar(*s);
    }
    putchar('"');
}

static long long as_unix(struct icaltimetype t) {
    return (long long)icaltime_as_timet_with_zone(t, t.zone ? t.zone : icaltimezone_get_utc_timezone());
}

static int print_errors(icalcomponent *comp, int first) {
    for (icalproperty *p = icalcomponent_get_first_property(comp, ICAL_XLICERROR_PROPERTY); p;
         p = icalcomponent_get_next_property(comp, ICAL_XLICERROR_PROPERTY)) {
        if (!first) putchar(',');
        json_string(icalproperty_get_xlicerror(p));
        first = 0;
    }
    for (icalcomponent *c = icalcomponent_get_first_component(comp, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(comp, ICAL_ANY_COMPONENT))
        first = print_errors(c, first);
    return first;
}

int main(void) {
    size_t cap = 1 << 16, len = 0, n;
    char *buf = malloc(cap);
    while ((n = fread(buf + len, 1, cap - len - 1, stdin)) > 0) {
        len += n;
        if (cap - len < 2) buf = realloc(buf, cap *= 2);
    }
    buf[len] = 0;
    icalcomponent *root = icalparser_parse_string(buf);
    if (!root || icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
        fprintf(stderr, "libical could not parse a VCALENDAR\n");
        return 2;
    }
    int valid = icalrestriction_check(root);
    icalproperty *method = icalcomponent_get_first_property(root, ICAL_METHOD_PROPERTY);
    printf("{\"method\":");
    json_string(method ? icalproperty_get_value_as_string(method) : "");
    printf(",\"restrictions_ok\":%s,\"errors\":[", valid ? "true" : "false");
    print_errors(root, 1);
    printf("],\"timezones\":[");
    int first = 1;
    for (icalcomponent *tz = icalcomponent_get_first_component(root, ICAL_VTIMEZONE_COMPONENT); tz;
         tz = icalcomponent_get_next_component(root, ICAL_VTIMEZONE_COMPONENT)) {
        if (!first) putchar(',');
        json_string(icalproperty_get_tzid(icalcomponent_get_first_property(tz, ICAL_TZID_PROPERTY)));
        first = 0;
    }
    printf("],\"events\":[");
    first = 1;
    for (icalcomponent *ev = icalcomponent_get_first_component(root, ICAL_VEVENT_COMPONENT); ev;
         ev = icalcomponent_get_next_component(root, ICAL_VEVENT_COMPONENT)) {
        struct icaltimetype start = icalcomponent_get_dtstart(ev), end = icalcomponent_get_dtend(ev);
        icalproperty *attendee = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY);
        icalproperty *status = icalcomponent_get_first_property(ev, ICAL_STATUS_PROPERTY);
        icalproperty *seq = icalcomponent_get_first_property(ev, ICAL_SEQUENCE_PROPERTY);
        const char *tzid = icaltime_get_tzid(start);
        if (!first) putchar(',');
        printf("{\"uid\":");
        json_string(icalcomponent_get_uid(ev));
        printf(",\"sequence\":%d,\"status\":", seq ? icalproperty_get_sequence(seq) : -1);
        json_string(status ? icalproperty_get_value_as_string(status) : "");
        printf(",\"partstat\":");
        json_string(attendee ? icalproperty_get_parameter_as_string(attendee, "PARTSTAT") : "");
        printf(",\"tzid\":");
        json_string(tzid ? tzid : (icaltime_is_utc(start) ? "UTC" : ""));
        printf(",\"start\":%lld,\"end\":%lld}", as_unix(start), as_unix(end));
        first = 0;
    }
    printf("]}\n");
    icalcomponent_free(root);
    free(buf);
    return 0;
}
