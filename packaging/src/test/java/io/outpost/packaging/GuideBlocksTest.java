package io.outpost.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class GuideBlocksTest {

  @Test
  void findsRunAndRunLaterBlocksWithTheirExpectedOutput() {
    String md =
        """
        # Guide

        ```sh
        not run
        ```

        <!-- guide:run -->
        ```sh
        echo one
        echo two
        ```

        <!-- guide:output -->
        ```text
          one

        two
        ```

        <!-- guide:run-later -->
        ```sh
        outpost future
        ```

        <!-- guide:run-online -->
        ```sh
        npm install
        ```

        <!-- guide:run-node -->
        ```sh
        npm install --offline
        ```
        """;

    List<GuideBlocks.Block> blocks = GuideBlocks.parse(md);

    assertThat(blocks)
        .containsExactly(
            new GuideBlocks.Block(
                8, "echo one\necho two\n", List.of("one", "two"), GuideBlocks.Mode.RUN),
            new GuideBlocks.Block(21, "outpost future\n", List.of(), GuideBlocks.Mode.LATER),
            new GuideBlocks.Block(26, "npm install\n", List.of(), GuideBlocks.Mode.ONLINE),
            new GuideBlocks.Block(31, "npm install --offline\n", List.of(), GuideBlocks.Mode.NODE));
  }

  @Test
  void aMarkerWithoutABlockIsAnError() {
    assertThatThrownBy(() -> GuideBlocks.parse("<!-- guide:run -->\ntext\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be followed by a fenced block");
    assertThatThrownBy(() -> GuideBlocks.parse("<!-- guide:run -->\n```sh\necho\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unclosed");
  }

  @Test
  void theFunctionsGuideRunsInitDeployAndRollbackForEveryRuntime() throws Exception {
    List<GuideBlocks.Block> blocks =
        GuideBlocks.parse(Files.readString(Path.of("..", "docs", "functions.md")));

    assertThat(
            blocks.stream()
                .filter(b -> b.mode() == GuideBlocks.Mode.RUN)
                .map(GuideBlocks.Block::script))
        .anyMatch(s -> s.contains("functions init hello --runtime java"))
        .anyMatch(s -> s.contains("functions init celsius --runtime python"))
        .anyMatch(s -> s.contains("functions init scale --runtime wasm"))
        .anyMatch(s -> s.contains("functions validate"))
        .anyMatch(s -> s.contains("functions logs hello"))
        .anyMatch(s -> s.contains("functions rollback hello"))
        .anyMatch(s -> s.contains("functions activate"))
        .noneMatch(s -> s.contains("npm install"));
  }
}
