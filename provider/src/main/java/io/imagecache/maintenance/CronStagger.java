package io.imagecache.maintenance;

import java.util.Optional;

/**
 * Moves a cron schedule later by whole minutes, for staggering one job per proxy: "0 3 * * 0" moved by
 * 30 is "30 3 * * 0", by 90 "30 4 * * 0". Only a schedule whose minute and hour are single numbers can
 * be moved (a range or a list would need several lines), and never past midnight, where the
 * day-of-month and day-of-week fields would have to move too. Pure.
 */
public final class CronStagger {
    private CronStagger() {}

    /** The schedule {@code minutes} later, or empty when it cannot be moved that far (see the class). */
    public static Optional<String> later(String schedule, int minutes) {
        if (minutes == 0) {
            return Optional.of(schedule);
        }
        String[] f = schedule.strip().split("\\s+");
        if (f.length != 5 || !f[0].matches("\\d{1,2}") || !f[1].matches("\\d{1,2}") || Integer.parseInt(f[0]) > 59
                || Integer.parseInt(f[1]) > 23) {
            return Optional.empty();
        }
        int at = Integer.parseInt(f[1]) * 60 + Integer.parseInt(f[0]) + minutes;
        if (minutes < 0 || at >= 24 * 60) {
            return Optional.empty();
        }
        return Optional.of((at % 60) + " " + (at / 60) + " " + f[2] + " " + f[3] + " " + f[4]);
    }

    /**
     * An hourly schedule ("M * * * *") moved by {@code minutes} within the hour, for restarts: proxy i
     * restarts a few minutes after proxy i-1. Any other schedule is returned as it is.
     */
    public static String laterInHour(String schedule, int minutes) {
        String[] f = schedule.strip().split("\\s+");
        if (minutes == 0 || f.length != 5 || !f[0].matches("\\d{1,2}") || Integer.parseInt(f[0]) > 59 || !f[1].equals("*")) {
            return schedule;
        }
        int m = (Integer.parseInt(f[0]) + minutes) % 60;
        return m + " " + f[1] + " " + f[2] + " " + f[3] + " " + f[4];
    }
}
