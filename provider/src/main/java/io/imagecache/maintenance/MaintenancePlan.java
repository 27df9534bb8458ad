package io.imagecache.maintenance;

/**
 * What one proxy's cron file does.
 *
 * @param restartSchedule empty: no periodic restart
 */
public record MaintenancePlan(String containerName, String upstreamUrl, String gcSchedule, boolean gcDeleteUntagged,
                              String restartSchedule) {

    /** {@code /etc/cron.d} ignores file names with dots: {@code registry.ghcr} becomes {@code imagecache-registry_ghcr}. */
    public String cronFileName() {
        return "imagecache-" + containerName.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    public String logFile() {
        return "/var/log/" + cronFileName() + ".log";
    }

    public String lockFile() {
        return "/run/lock/" + cronFileName() + ".lock";
    }

    /** The URL the restart job probes: {@code GET <upstream>/v2/}. */
    public String probeUrl() {
        String u = upstreamUrl.endsWith("/") ? upstreamUrl.substring(0, upstreamUrl.length() - 1) : upstreamUrl;
        return u + "/v2/";
    }
}
