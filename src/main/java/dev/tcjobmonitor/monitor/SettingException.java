package dev.tcjobmonitor.monitor;

/** A setting that cannot work; the message names the setting and says what to change. */
public class SettingException extends IllegalArgumentException {

    public SettingException(String monitor, String setting, String problem) {
        super("invalid setting " + setting + " of monitor '" + monitor + "': " + problem, null);
    }
}
