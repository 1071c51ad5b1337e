package io.outpost.gateway.admin.console;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Where the console's live view comes from: the same documents the admin API serves, so a field
 * added to {@code /api/status} shows up in the console's snapshot too.
 *
 * @param status the {@code GET /api/status} document
 * @param clients the {@code clients} array of {@code GET /api/clients}
 * @param deadLetters the newest part of {@code GET /api/spool/dead-letters} (read from the spool
 *     asynchronously)
 */
public record ConsoleSources(
    Supplier<JsonObject> status,
    Supplier<JsonArray> clients,
    Supplier<CompletionStage<JsonArray>> deadLetters) {}
