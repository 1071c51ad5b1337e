package io.outpost.topic;

import java.util.Arrays;

/**
 * A validated MQTT topic filter that can be matched against topic names.
 *
 * <p>Implements the matching rules of MQTT 5.0 §4.7: {@code +} matches exactly one level, {@code #} matches the
 * parent level and any number of child levels, and topics starting with {@code $} are never matched by a filter whose
 * first level is a wildcard. Instances are immutable and thread-safe.
 */
public final class TopicFilter {

    private final String filter;
    private final String[] levels;

    private TopicFilter(String filter) {
        this.filter = filter;
        this.levels = TopicLevels.split(filter);
    }

    /** Parses and validates {@code filter}; throws {@link IllegalArgumentException} when it is invalid. */
    public static TopicFilter of(String filter) {
        Topics.validateFilter(filter);
        return new TopicFilter(filter);
    }

    /**
     * Whether this filter matches the topic name {@code topic} (which is assumed valid). Walks the topic in place:
     * routes match every published message against their filters, so this allocates nothing.
     */
    public boolean matches(String topic) {
        if (topic.startsWith("$") && (levels[0].equals("+") || levels[0].equals("#"))) {
            return false;
        }
        int length = topic.length();
        int start = 0; // of the topic level under the filter level; length + 1 once the topic has no more levels
        for (String level : levels) {
            if (level.equals("#")) {
                return true; // also the parent level: "a/#" matches "a"
            }
            if (start > length) {
                return false;
            }
            int end = topic.indexOf('/', start);
            if (end < 0) {
                end = length;
            }
            if (!level.equals("+")
                    && (end - start != level.length() || !topic.regionMatches(start, level, 0, level.length()))) {
                return false;
            }
            start = end + 1;
        }
        return start == length + 1;
    }

    /** Whether the filter contains {@code +} or {@code #}. */
    public boolean hasWildcards() {
        return Arrays.stream(levels).anyMatch(l -> l.equals("+") || l.equals("#"));
    }

    /** The filter text. */
    public String filter() {
        return filter;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicFilter other && other.filter.equals(filter);
    }

    @Override
    public int hashCode() {
        return filter.hashCode();
    }

    @Override
    public String toString() {
        return filter;
    }
}
