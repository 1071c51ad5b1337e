package io.outpost.topic;

/** Splits topic names and filters into levels; empty levels are kept ("a//b" has three levels). */
final class TopicLevels {

  private TopicLevels() {}

  static String[] split(String topic) {
    int slash = topic.indexOf('/');
    if (slash < 0) {
      return new String[] {topic};
    }
    int count = 2;
    for (int i = topic.indexOf('/', slash + 1); i >= 0; i = topic.indexOf('/', i + 1)) {
      count++;
    }
    String[] levels = new String[count];
    int start = 0;
    for (int n = 0; n < count - 1; n++) {
      levels[n] = topic.substring(start, slash);
      start = slash + 1;
      slash = topic.indexOf('/', start);
    }
    levels[count - 1] = topic.substring(start);
    return levels;
  }
}
