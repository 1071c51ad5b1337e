package io.outpost.function.runtime;

/** MQTT topic filter syntax checks (MQTT 3.1.1 §4.7 / 5.0 §4.7), so a bad trigger fails at deploy, not at subscribe. */
public final class TopicFilters {

    private static final int MAX_FILTER_BYTES = 65_535;

    private TopicFilters() {
    }

    /**
     * Validates one filter.
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static void validate(String filter) {
        if (filter == null || filter.isEmpty()) {
            throw new IllegalArgumentException("topic filter must not be empty");
        }
        if (filter.length() > MAX_FILTER_BYTES / 3 && filter.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                > MAX_FILTER_BYTES) {
            throw new IllegalArgumentException("topic filter longer than 65535 bytes");
        }
        if (filter.indexOf('\u0000') >= 0) {
            throw new IllegalArgumentException("topic filter '" + filter + "' contains NUL");
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                throw new IllegalArgumentException("topic filter '" + filter
                        + "': '#' must be a whole level and the last one");
            }
            if (level.contains("+") && !level.equals("+")) {
                throw new IllegalArgumentException("topic filter '" + filter + "': '+' must be a whole level");
            }
        }
    }

    /** True when {@code topic} (a topic name) matches {@code filter}; used only for loop protection checks. */
    public static boolean matches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        if (!topic.isEmpty() && topic.charAt(0) == '$' && (f[0].equals("+") || f[0].equals("#"))) {
            return false;
        }
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !(f[i].equals("+") || f[i].equals(t[i]))) {
                return false;
            }
        }
        return f.length == t.length;
    }
}
