package io.outpost.function.runtime.sandbox.jvm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.outpost.function.Publication;
import io.outpost.function.UserProperty;
import io.outpost.function.runtime.InboundMessage;
import io.outpost.function.runtime.Messages;
import io.outpost.function.runtime.OutboundMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The main class of a Java function's child JVM ({@code isolation: process}). It loads the handler the way the daemon
 * does in process (its own class loader over the function API only) and serves the process line protocol: one request
 * per stdin line, one result per stdout line. Whatever the handler prints goes to stderr, which the daemon logs under
 * the function's name, so it cannot corrupt the protocol.
 *
 * <p>Arguments: package location, handler class, function name, version, and the names of the environment variables
 * that make up {@code Context.config()}.
 */
public final class ChildJvmMain {

    private ChildJvmMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: ChildJvmMain <package> <handler class> <name> <version> [config names...]");
            System.exit(64);
        }
        PrintStream protocol = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false,
                StandardCharsets.UTF_8);
        System.setOut(System.err);
        Map<String, String> config = new LinkedHashMap<>();
        for (int i = 4; i < args.length; i++) {
            String value = System.getenv(args[i]);
            if (value != null) {
                config.put(args[i], value);
            }
        }
        HandlerLoader loaded = HandlerLoader.load(java.nio.file.Path.of(args[0]), args[1]);
        new ChildJvmMain().serve(loaded, args[2], args[3], config, protocol);
    }

    private void serve(HandlerLoader loaded, String name, String version, Map<String, String> config,
            OutputStream protocol) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        StderrLogger logger = new StderrLogger();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode request = mapper.readTree(line);
            ObjectNode reply = mapper.createObjectNode();
            reply.put("id", request.path("id").asLong());
            ChildContext ctx = new ChildContext(name, version, config, logger,
                    Duration.ofMillis(request.path("timeoutMillis").asLong(0)));
            try {
                List<Publication> returned = loaded.invoke(Messages.view(inbound(request, mapper)), ctx);
                List<Publication> all = new ArrayList<>(ctx.published());
                if (returned != null) {
                    all.addAll(returned);
                }
                ArrayNode publish = reply.putArray("publish");
                for (Publication p : all) {
                    OutboundMessage out = Messages.encode(name, p);
                    publish.addObject().put("topic", out.topic())
                            .put("payloadBase64", Base64.getEncoder().encodeToString(out.payload()))
                            .put("qos", out.qos()).put("retain", out.retain());
                }
            } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
                String message = e.getMessage();
                reply.put("error", e.getClass().getName() + (message == null ? "" : ": " + message));
            }
            byte[] json = mapper.writeValueAsBytes(reply);
            protocol.write(json);
            protocol.write('\n');
            protocol.flush();
        }
    }

    private static InboundMessage inbound(JsonNode r, ObjectMapper mapper) throws IOException {
        byte[] payload = r.hasNonNull("payloadBase64") ? Base64.getDecoder().decode(r.get("payloadBase64").asText())
                : mapper.writeValueAsBytes(r.get("payload"));
        List<UserProperty> props = new ArrayList<>();
        for (JsonNode p : r.path("userProperties")) {
            props.add(new UserProperty(p.path("name").asText(), p.path("value").asText()));
        }
        String clientId = r.hasNonNull("clientId") ? r.get("clientId").asText() : null;
        Instant receivedAt = r.hasNonNull("receivedAt") ? Instant.parse(r.get("receivedAt").asText()) : Instant.now();
        return new InboundMessage(r.path("topic").asText(), payload, r.path("qos").asInt(0), props, clientId,
                receivedAt);
    }
}
