package io.imagecache.maintenance;

/**
 * What one proxy's cron file does.
 *
 * @param restartSchedule empty: no periodic restart
 */
public record MaintenancePlan(String containerName, String upstreamUrl, String gcSchedule, boolean gcDeleteUntagged,
                              String restartSchedule) {

    /**
     * {@code imagecache-<container>}, spelt so that cron reads it and no two containers share it.
     * {@code /etc/cron.d} skips file names with dots, so {@code _} is an escape: {@code _} is written
     * {@code __} and {@code .} is written {@code _d} ({@code registry.ghcr} -> {@code imagecache-registry_dghcr},
     * {@code registry_ghcr} -> {@code imagecache-registry__ghcr}); letters, digits and {@code -} stay.
     * Every other character is written {@code _xHHHH}, though Check admits none.
     */
    public String cronFileName() {
        StringBuilder sb = new StringBuilder("imagecache-");
        for (int i = 0; i < containerName.length(); i++) {
            char c = containerName.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
                sb.append(c);
            } else if (c == '_') {
                sb.append("__");
            } else if (c == '.') {
                sb.append("_d");
            } else {
                sb.append(String.format("_x%04x", (int) c));
            }
        }
        return sb.toString();
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
