package io.imagecache.maintenance;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Validation of cron schedules as Debian's cron (Vixie cron) reads them in /etc/cron.d. Pure. */
public final class CronSchedule {
    private CronSchedule() {}

    private static final List<String> KEYWORDS =
            List.of("@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually");
    private static final String[] FIELD = {"minute", "hour", "day of month", "month", "day of week"};
    private static final int[] MIN = {0, 0, 1, 1, 0};
    private static final int[] MAX = {59, 23, 31, 12, 7};
    private static final List<String> MONTHS =
            List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
    private static final List<String> DAYS = List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat");

    /** Empty when {@code schedule} is valid, else a sentence saying what is wrong and what would work. */
    public static Optional<String> problem(String schedule) {
        if (schedule == null || schedule.isBlank()) {
            return Optional.of("is empty; give five fields like \"0 3 * * 0\" (03:00 every Sunday) or @weekly");
        }
        for (int i = 0; i < schedule.length(); i++) {
            char c = schedule.charAt(i);
            if (c == '\n' || c == '\r') {
                return Optional.of("contains a line break; a schedule is one line, five fields like \"0 3 * * 0\" "
                        + "(a second line would become a cron entry of its own, or make cron drop the file)");
            }
            if (!(c == ' ' || c == '\t' || c == '*' || c == '/' || c == ',' || c == '-' || c == '@'
                    || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
                return Optional.of("contains " + describe(c) + ", which has no place in a schedule; use digits, "
                        + "names (jan, mon), * / , - and spaces, e.g. \"0 3 * * 0\"");
            }
        }
        String s = schedule.strip();
        if (s.startsWith("@")) {
            // cron compares keywords case-sensitively: @WEEKLY would make it skip the line
            return KEYWORDS.contains(s) ? Optional.empty()
                    : Optional.of("\"" + s + "\" is not a cron keyword; use one of " + String.join(", ", KEYWORDS)
                    + " or five fields like \"0 3 * * 0\"");
        }
        String[] fields = s.split("\\s+");
        if (fields.length != 5) {
            return Optional.of("\"" + s + "\" has " + fields.length + " fields; a schedule has five: minute hour "
                    + "day-of-month month day-of-week, e.g. \"0 3 * * 0\"");
        }
        for (int i = 0; i < 5; i++) {
            Optional<String> p = field(fields[i], i);
            if (p.isPresent()) {
                return Optional.of("\"" + s + "\": the " + FIELD[i] + " field \"" + fields[i] + "\" " + p.get());
            }
        }
        return Optional.empty();
    }

    private static String describe(char c) {
        if (c < 0x21 || c > 0x7e) {
            return String.format(Locale.ROOT, "the invisible or non-ASCII character U+%04X", (int) c);
        }
        return "\"" + c + "\"";
    }

    private static Optional<String> field(String f, int i) {
        for (String part : f.split(",", -1)) {
            if (part.isEmpty()) {
                return Optional.of("has an empty list element");
            }
            String range = part;
            int slash = part.indexOf('/');
            if (slash >= 0) {
                range = part.substring(0, slash);
                String step = part.substring(slash + 1);
                if (!step.matches("[0-9]+") || Integer.parseInt(step) == 0) {
                    return Optional.of("has a step \"/" + step + "\" that is not a positive number");
                }
            }
            if (range.equals("*")) {
                continue;
            }
            String[] ends = range.split("-", -1);
            if (ends.length > 2) {
                return Optional.of("is not a number, range or list");
            }
            int lo = -1;
            for (String e : ends) {
                Integer v = value(e, i);
                if (v == null) {
                    return Optional.of("has \"" + e + "\", which is not a number from " + MIN[i] + " to " + MAX[i]
                            + (i == 3 ? " or a month name (jan-dec)" : i == 4 ? " or a day name (sun-sat)" : ""));
                }
                if (v < MIN[i] || v > MAX[i]) {
                    return Optional.of("has " + v + ", outside " + MIN[i] + "-" + MAX[i]);
                }
                if (lo >= 0 && v < lo) {
                    return Optional.of("has a range that runs backwards");
                }
                lo = v;
            }
            if (slash >= 0 && ends.length == 1) {
                return Optional.of("has a step on a single value; use a range or * before the /");
            }
        }
        return Optional.empty();
    }

    private static Integer value(String e, int field) {
        if (e.matches("[0-9]{1,2}")) {
            return Integer.parseInt(e);
        }
        String l = e.toLowerCase(Locale.ROOT);
        if (field == 3 && MONTHS.contains(l)) {
            return MONTHS.indexOf(l) + 1;
        }
        if (field == 4 && DAYS.contains(l)) {
            return DAYS.indexOf(l);
        }
        return null;
    }
}
