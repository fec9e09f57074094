package dev.tcjobmonitor.monitor;

import java.util.Optional;

/**
 * How this process runs its monitors: the command line's one-shot flags and the notices switch,
 * host properties that apply to every monitor alike.
 *
 * @param since    {@code --since}: the window starts here instead of at the watermark
 * @param dryRun   {@code --dry-run}: log what each sink would get, send nothing, change no state
 * @param oneShot  {@code --once}, {@code --since}, {@code --dry-run}: one poll, nothing scheduled
 * @param notices  the blind and recovered notices go to the sinks
 */
record RunOptions(Optional<Backfill> since, boolean dryRun, boolean oneShot, boolean notices) {

    static RunOptions read(String monitor, MonitorParameters raw) {
        String since = raw.host("monitor.since", "");
        return new RunOptions(since.isBlank() ? Optional.empty() : Optional.of(Backfill.parse(since)),
                MonitorSettings.flag(monitor, "monitor.dry-run", raw.host("monitor.dry-run", "false")),
                MonitorSettings.flag(monitor, "monitor.one-shot", raw.host("monitor.one-shot", "false")),
                MonitorSettings.flag(monitor, "monitor.notices", raw.host("monitor.notices", "true")));
    }
}
