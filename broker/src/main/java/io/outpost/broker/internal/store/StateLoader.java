package io.outpost.broker.internal.store;

import io.outpost.broker.BrokerMessage;
import io.outpost.broker.internal.session.OutboundMessage;
import io.outpost.broker.internal.session.Subscription;
import io.vertx.core.buffer.Buffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the broker store's whole content at start-up, deleting sessions that expired while the
 * broker was down.
 */
final class StateLoader {

  private StateLoader() {}

  static StoredState load(Connection c, long now) throws Exception {
    List<StoredState.StoredSession> sessions = new ArrayList<>();
    List<String> expired = new ArrayList<>();
    try (PreparedStatement ps =
            c.prepareStatement("SELECT client_id, expiry_seconds, disconnected_at FROM sessions");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        var s = new StoredState.StoredSession(rs.getString(1), rs.getLong(2), rs.getLong(3));
        if (s.disconnectedAtMillis() + s.expirySeconds() * 1000L < now) {
          expired.add(s.clientId());
        } else {
          sessions.add(s);
        }
      }
    }
    for (String id : expired) {
      for (String table : List.of("sessions", "subscriptions", "messages", "inbound_qos2")) {
        try (PreparedStatement ps =
            c.prepareStatement("DELETE FROM " + table + " WHERE client_id = ?")) {
          ps.setString(1, id);
          ps.executeUpdate();
        }
      }
    }
    List<Subscription> subs = new ArrayList<>();
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT client_id, text, filter, share_group, qos, no_local,"
                    + " retain_as_published, retain_handling, subscription_id FROM subscriptions");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        subs.add(
            new Subscription(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getInt(5),
                rs.getInt(6) != 0,
                rs.getInt(7) != 0,
                rs.getInt(8),
                rs.getInt(9)));
      }
    }
    Map<String, List<OutboundMessage>> messages = new LinkedHashMap<>();
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT id, client_id, topic, payload, published_qos, qos,"
                    + " retain_flag, published_retain, props, publisher, received_at, subscription_ids, packet_id,"
                    + " released FROM messages ORDER BY id");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        BrokerMessage m =
            new BrokerMessage(
                rs.getString(3),
                Buffer.buffer(rs.getBytes(4)),
                rs.getInt(5),
                rs.getInt(8) != 0,
                PropertiesCodec.decode(rs.getString(9)),
                rs.getString(10),
                rs.getLong(11));
        OutboundMessage o =
            OutboundMessage.restored(
                m,
                rs.getInt(6),
                rs.getInt(7) != 0,
                parseIds(rs.getString(12)),
                rs.getInt(13),
                rs.getInt(14) != 0,
                rs.getLong(1));
        messages.computeIfAbsent(rs.getString(2), k -> new ArrayList<>()).add(o);
      }
    }
    Map<String, List<Integer>> inboundQos2 = new LinkedHashMap<>();
    try (PreparedStatement ps =
            c.prepareStatement("SELECT client_id, packet_id FROM inbound_qos2");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        inboundQos2.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getInt(2));
      }
    }
    List<BrokerMessage> retained = new ArrayList<>();
    try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT topic, payload, qos, props, publisher, received_at FROM retained");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        retained.add(
            new BrokerMessage(
                rs.getString(1),
                Buffer.buffer(rs.getBytes(2)),
                rs.getInt(3),
                true,
                PropertiesCodec.decode(rs.getString(4)),
                rs.getString(5),
                rs.getLong(6)));
      }
    }
    return new StoredState(sessions, subs, messages, inboundQos2, retained);
  }

  private static int[] parseIds(String text) {
    if (text == null || text.length() <= 2) {
      return new int[0];
    }
    return Arrays.stream(text.substring(1, text.length() - 1).split(",\\s*"))
        .mapToInt(Integer::parseInt)
        .toArray();
  }
}
