package io.outpost.broker.security;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordFileTest {

  @TempDir Path dir;

  @Test
  void storesSaltedSlowHashesAndVerifiesThem() throws Exception {
    Path file = dir.resolve("passwd");
    PasswordFile.empty().with("sensor-1", "s3cret".getBytes(UTF_8)).save(file);

    String text = Files.readString(file);
    assertThat(text).doesNotContain("s3cret").contains("sensor-1:$pbkdf2-sha256$210000$");
    PasswordFile loaded = PasswordFile.load(file);
    assertThat(loaded.verify("sensor-1", "s3cret".getBytes(UTF_8))).isTrue();
    assertThat(loaded.verify("sensor-1", "S3cret".getBytes(UTF_8))).isFalse();
    assertThat(loaded.verify("sensor-2", "s3cret".getBytes(UTF_8))).isFalse();
  }

  @Test
  void sameDataGetsDifferentSalts() {
    String a = PasswordHasher.hash("pw".getBytes(UTF_8));
    String b = PasswordHasher.hash("pw".getBytes(UTF_8));

    assertThat(a).isNotEqualTo(b);
    assertThat(PasswordHasher.verify("pw".getBytes(UTF_8), a)).isTrue();
  }

  @Test
  void keepsArbitraryBinaryPasswordsDistinct() {
    String hash = PasswordHasher.hash(new byte[] {(byte) 0xff, (byte) 0xfe});

    assertThat(PasswordHasher.verify(new byte[] {(byte) 0xff, (byte) 0xfe}, hash)).isTrue();
    assertThat(PasswordHasher.verify(new byte[] {(byte) 0xfe, (byte) 0xff}, hash)).isFalse();
  }

  @Test
  void writesTheFileWithMode0600AndReplacesItAtomically() throws Exception {
    Path file = dir.resolve("sub/passwd");
    PasswordFile.empty().with("a", "1".getBytes(UTF_8)).save(file);
    PasswordFile.load(file).without("a").with("b", "2".getBytes(UTF_8)).save(file);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PasswordFile.load(file).users()).containsExactly("b");
    try (var siblings = Files.list(file.getParent())) {
      assertThat(siblings).containsExactly(file);
    }
  }

  @Test
  void rejectsMalformedWeakOrDuplicateLinesNamingTheLine() throws Exception {
    String good = PasswordHasher.hash("x".getBytes(UTF_8));
    Path plain = Files.writeString(dir.resolve("plain"), "# comment\n\nbob:hunter2\n");
    Path weak =
        Files.writeString(
            dir.resolve("weak"),
            "bob:$pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA$"
                + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
    Path dup = Files.writeString(dir.resolve("dup"), "bob:" + good + "\nbob:" + good + "\n");

    assertThatThrownBy(() -> PasswordFile.load(plain)).hasMessageContaining("line 3");
    assertThatThrownBy(() -> PasswordFile.load(weak))
        .hasMessageContaining("at least 210000 iterations");
    assertThatThrownBy(() -> PasswordFile.load(dup)).hasMessageContaining("duplicate user");
  }

  @Test
  void rejectsUserNamesThatWouldBreakTheFormat() {
    for (String bad : new String[] {"", "a:b", "a b", "#x", "a\nb", "x".repeat(300)}) {
      assertThatThrownBy(() -> PasswordFile.empty().with(bad, "p".getBytes(UTF_8)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> PasswordFile.empty().with("ok", new byte[0]))
        .hasMessageContaining("empty");
  }
}
