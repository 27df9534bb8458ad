package io.imagecache.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class CronStaggerTest {
    @Test
    void movesMinuteAndHourWithinTheDay() {
        assertEquals(Optional.of("0 3 * * 0"), CronStagger.later("0 3 * * 0", 0));
        assertEquals(Optional.of("30 3 * * 0"), CronStagger.later("0 3 * * 0", 30));
        assertEquals(Optional.of("15 5 * * 0"), CronStagger.later("45 3 * * 0", 90));
        assertEquals(Optional.of("59 23 1 * *"), CronStagger.later("0 0 1 * *", 1439));
    }

    @Test
    void refusesWhatWouldNeedSeveralLinesOrAnotherDay() {
        assertEquals(Optional.empty(), CronStagger.later("0 23 * * 0", 60), "past midnight the weekday would move too");
        assertEquals(Optional.empty(), CronStagger.later("*/5 3 * * 0", 30));
        assertEquals(Optional.empty(), CronStagger.later("0 1-3 * * 0", 30));
        assertEquals(Optional.empty(), CronStagger.later("@weekly", 30));
        assertEquals(Optional.empty(), CronStagger.later("61 3 * * 0", 30));
    }

    @Test
    void hourlyRestartsMoveWithinTheHourAndOthersStayAsGiven() {
        assertEquals("2 * * * *", CronStagger.laterInHour("0 * * * *", 2));
        assertEquals("5 * * * *", CronStagger.laterInHour("55 * * * *", 10));
        assertEquals("0 4 * * *", CronStagger.laterInHour("0 4 * * *", 2));
        assertEquals("61 * * * *", CronStagger.laterInHour("61 * * * *", 0), "an invalid schedule is left for Check");
        assertEquals("", CronStagger.laterInHour("", 4), "empty disables restarts");
    }
}
