package io.outpost.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SubscriptionTreeTest {

  private final SubscriptionTree<String, String> tree = new SubscriptionTree<>();

  private Set<String> matches(String topic) {
    Set<String> found = new HashSet<>();
    tree.match(topic, (k, v) -> found.add(k + "=" + v));
    return found;
  }

  @Test
  void matchesExactAndWildcardFilters() {
    tree.put("a/b", "c1", "exact");
    tree.put("a/+", "c2", "plus");
    tree.put("a/#", "c3", "hash");
    tree.put("#", "c4", "all");
    tree.put("b/#", "c5", "other");
    assertThat(matches("a/b"))
        .containsExactlyInAnyOrder("c1=exact", "c2=plus", "c3=hash", "c4=all");
    assertThat(matches("a")).containsExactlyInAnyOrder("c3=hash", "c4=all");
    assertThat(matches("a/b/c")).containsExactlyInAnyOrder("c3=hash", "c4=all");
    assertThat(matches("$SYS/a")).isEmpty();
  }

  @Test
  void replacesValueOfSameKeyAndRemovesAndPrunes() {
    assertThat(tree.put("a/b", "c1", "q0")).isNull();
    assertThat(tree.put("a/b", "c1", "q1")).isEqualTo("q0");
    assertThat(tree.size()).isEqualTo(1);
    assertThat(matches("a/b")).containsExactly("c1=q1");
    assertThat(tree.remove("a/b", "c1")).isEqualTo("q1");
    assertThat(tree.remove("a/b", "c1")).isNull();
    assertThat(tree.size()).isZero();
    assertThat(matches("a/b")).isEmpty();
  }

  @Test
  void agreesWithTopicFilterOnRandomFiltersAndTopics() {
    Random random = new Random(42);
    String[] words = {"a", "b", "c", "", "$x"};
    Map<String, TopicFilter> filters = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      String filter = randomFilter(random, words);
      if (Topics.isValidFilter(filter)) {
        filters.put("k" + i, TopicFilter.of(filter));
        tree.put(filter, "k" + i, filter);
      }
    }
    for (int i = 0; i < 2_000; i++) {
      String topic = randomTopic(random, words);
      Set<String> expected = new HashSet<>();
      filters.forEach(
          (k, f) -> {
            if (f.matches(topic)) {
              expected.add(k + "=" + f.filter());
            }
          });
      assertThat(matches(topic)).as(topic).isEqualTo(expected);
    }
  }

  private static String randomFilter(Random r, String[] words) {
    int levels = 1 + r.nextInt(4);
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < levels; i++) {
      int pick = r.nextInt(words.length + 2);
      parts.add(
          pick == words.length
              ? "+"
              : pick == words.length + 1 ? (i == levels - 1 ? "#" : "+") : words[pick]);
    }
    return String.join("/", parts);
  }

  private static String randomTopic(Random r, String[] words) {
    int levels = 1 + r.nextInt(4);
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < levels; i++) {
      parts.add(words[r.nextInt(words.length)]);
    }
    return String.join("/", parts);
  }
}
