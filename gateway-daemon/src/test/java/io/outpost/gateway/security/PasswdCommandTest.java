package io.outpost.gateway.security;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.broker.security.PasswordFile;
import io.outpost.gateway.cli.OutpostCommand;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code outpost passwd add|remove}, run in-process as the operator would. */
class PasswdCommandTest {

  @TempDir Path dir;

  private final InputStream originalIn = System.in;

  private record Result(int exit, String out, String err) {}

  @AfterEach
  void restoreStdin() {
    System.setIn(originalIn);
  }

  private Result run(String stdin, String... args) {
    System.setIn(new ByteArrayInputStream(stdin.getBytes(UTF_8)));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = OutpostCommand.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int exit = cmd.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  @Test
  void addsChangesAndRemovesUsersInTheConfiguredFile() throws Exception {
    Path passwd = dir.resolve("passwd");
    Path config =
        Files.writeString(
            dir.resolve("outpost.yaml"), "security: {passwordFile: " + passwd + "}\n");

    Result added =
        run(
            "pw-1\n",
            "passwd",
            "add",
            "sensor-1",
            "--password-stdin",
            "--config",
            config.toString());
    Result changed =
        run(
            "pw-2\n",
            "passwd",
            "add",
            "sensor-1",
            "--password-stdin",
            "--config",
            config.toString());

    assertThat(added.exit()).as(added.err()).isZero();
    assertThat(added.out()).contains("added sensor-1");
    assertThat(changed.out()).contains("changed the password of sensor-1");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passwd)))
        .isEqualTo("rw-------");
    assertThat(PasswordFile.load(passwd).verify("sensor-1", "pw-2".getBytes(UTF_8))).isTrue();

    Result removed = run("", "passwd", "remove", "sensor-1", "--config", config.toString());
    Result again = run("", "passwd", "remove", "sensor-1", "--config", config.toString());

    assertThat(removed.exit()).isZero();
    assertThat(PasswordFile.load(passwd).users()).isEmpty();
    assertThat(again.exit()).isEqualTo(66);
  }

  @Test
  void explainsWhenNoFileIsKnown() throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("outpost.yaml"), "storage: {dir: " + dir.resolve("d") + "}\n");

    Result r = run("pw\n", "passwd", "add", "u", "--password-stdin", "--config", config.toString());

    assertThat(r.exit()).isEqualTo(78);
    assertThat(r.err()).contains("--file");
  }

  @Test
  void refusesAnEmptyPasswordAndABadUserName() {
    Path passwd = dir.resolve("passwd");

    Result empty = run("\n", "passwd", "add", "u", "--password-stdin", "--file", passwd.toString());
    Result badUser =
        run("pw\n", "passwd", "add", "a:b", "--password-stdin", "--file", passwd.toString());

    assertThat(empty.exit()).isEqualTo(64);
    assertThat(badUser.exit()).isEqualTo(64);
    assertThat(badUser.err()).contains("':'");
    assertThat(Files.exists(passwd)).isFalse();
  }
}
