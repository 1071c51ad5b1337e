package io.outpost.gateway.broker.topic;

import java.util.ArrayList;
import java.util.List;

/** Splits topic names and filters into levels; empty levels are kept ("a//b" has three levels). */
final class TopicLevels {

    private TopicLevels() {
    }

    static String[] split(String topic) {
        int slash = topic.indexOf('/');
        if (slash < 0) {
            return new String[] {topic};
        }
        List<String> levels = new ArrayList<>(8);
        int start = 0;
        while (slash >= 0) {
            levels.add(topic.substring(start, slash));
            start = slash + 1;
            slash = topic.indexOf('/', start);
        }
        levels.add(topic.substring(start));
        return levels.toArray(new String[0]);
    }
}
