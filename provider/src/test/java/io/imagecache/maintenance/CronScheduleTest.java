package io.imagecache.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CronScheduleTest {

    @ParameterizedTest
    @ValueSource(strings = {"0 3 * * 0", "*/15 * * * *", "0 0-23/2 1,15 jan-jun mon-fri", "30 4 * * 7", "@weekly",
            "@hourly", "5 4 * * sun", "0 3 * * 0,3", "0   3 * *   0"})
    void accepts(String s) {
        assertEquals(Optional.empty(), CronSchedule.problem(s));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0 3 * *|has 4 fields",
            "60 * * * *|the minute field \"60\" has 60, outside 0-59",
            "0 24 * * *|the hour field",
            "0 3 0 * *|the day of month field",
            "0 3 * 13 *|the month field",
            "0 3 * * 8|the day of week field",
            "0 3 * * funday|which is not a number from 0 to 7 or a day name",
            "*/0 * * * *|not a positive number",
            "5-1 * * * *|runs backwards",
            "@reboot|is not a cron keyword",
            "0 3 * * 0 root|has 6 fields",
            "1,,2 * * * *|empty list element",
            "@WEEKLY|is not a cron keyword",
            "0 3 * * 0%|contains \"%\"",
            "0 3 * * 0 # weekly|contains \"#\""})
    void rejectsWithAReasonNamingTheField(String schedule, String expected) {
        String p = CronSchedule.problem(schedule).orElseThrow();
        assertTrue(p.contains(expected), p);
    }

    /** Five fields after splitting on white space, but cron reads two lines (or drops the file). */
    @ParameterizedTest
    @ValueSource(strings = {"0 3 * *\n0", "0 3 * * 0\n", "0 3 * *\r0", "0 3 * * 0\r\n* * * * * root rm -rf /"})
    void rejectsLineBreaks(String s) {
        String p = CronSchedule.problem(s).orElseThrow();
        assertTrue(p.contains("line break"), p);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0 3 * *\u00000", "0 3 * * 0\u000b", "0 3 * * 0\u0085", "0\u00a03 * * 0"})
    void rejectsOtherControlCharacters(String s) {
        String p = CronSchedule.problem(s).orElseThrow();
        assertTrue(p.contains("character U+"), p);
    }
}
