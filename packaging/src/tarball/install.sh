#!/bin/sh
# Installs Outpost from this unpacked tarball on any systemd Linux distribution (for Debian and derivatives prefer the
# .deb). Run as root from the unpacked directory:
#
#   ./install.sh                 install or upgrade, enable and start the service
#   ./install.sh --no-start      install or upgrade, do not enable or start
#   ./install.sh --uninstall     stop and remove the program; keep /etc/outpost and /var/lib/outpost
#   ./install.sh --purge         like --uninstall, then delete /etc/outpost and /var/lib/outpost (the spool!)
#
# Installing also builds the class-data sharing archive in /var/cache/outpost (`outpost update-cds-archive`: a short
# training start of the daemon on a temporary data directory and loopback port 0), which roughly halves the time to
# ready. Run that command again after changing java or JAVA_OPTS; uninstalling deletes the archive.
#
#   PREFIX   where the program goes (default /usr/local): $PREFIX/bin/outpost, $PREFIX/share/outpost/outpost.jar,
#            the Grafana dashboard $PREFIX/share/outpost/grafana/outpost-dashboard.json, the Prometheus alert
#            rules $PREFIX/share/outpost/prometheus/outpost-alerts.yml, the function SDK $PREFIX/share/outpost/sdk
#   DESTDIR  stage into this root instead of /: no user, ownership or systemd changes (for packagers and tests)
#
# An existing /etc/outpost/outpost.yaml or /etc/default/outpost is never overwritten: the new version is written
# next to it as *.new. The unit goes to /etc/systemd/system/outpost.service; put local changes in a drop-in.
set -eu

PREFIX="${PREFIX:-/usr/local}"
DESTDIR="${DESTDIR:-}"
USER_NAME=outpost
DATA_DIR=/var/lib/outpost
CONF_DIR=/etc/outpost
CDS_DIR=/var/cache/outpost
UNIT_FILE=/etc/systemd/system/outpost.service
HERE=$(cd "$(dirname "$0")" && pwd)

mode=install
case "${1:-}" in
  "") ;;
  --no-start) mode=install-only ;;
  --uninstall) mode=uninstall ;;
  --purge) mode=purge ;;
  *) echo "usage: $0 [--no-start|--uninstall|--purge]" >&2; exit 64 ;;
esac

if [ -z "$DESTDIR" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root (or set DESTDIR to stage into a directory)" >&2
  exit 77
fi

has_systemd() { [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; }

stop_service() {
  if has_systemd && systemctl is-active --quiet outpost.service; then
    echo "stopping outpost.service"
    systemctl stop outpost.service
  fi
}

# Installs a configuration file unless one exists; then the new version goes beside it as FILE.new.
install_config() { # source target mode
  if [ -e "$DESTDIR$2" ]; then
    install -m "$3" "$1" "$DESTDIR$2.new"
    echo "kept $2; the packaged version is $2.new"
  else
    install -D -m "$3" "$1" "$DESTDIR$2"
  fi
}

create_user() {
  getent group "$USER_NAME" >/dev/null || groupadd --system "$USER_NAME" 2>/dev/null \
    || addgroup -S "$USER_NAME"
  getent passwd "$USER_NAME" >/dev/null || useradd --system --gid "$USER_NAME" --home-dir "$DATA_DIR" \
    --no-create-home --shell /sbin/nologin --comment "Outpost edge gateway" "$USER_NAME" 2>/dev/null \
    || adduser -S -D -H -h "$DATA_DIR" -s /sbin/nologin -G "$USER_NAME" "$USER_NAME"
}

install_files() {
  install -D -m 0644 "$HERE/share/outpost/outpost.jar" "$DESTDIR$PREFIX/share/outpost/outpost.jar"
  install -D -m 0644 "$HERE/share/outpost/grafana/outpost-dashboard.json" \
    "$DESTDIR$PREFIX/share/outpost/grafana/outpost-dashboard.json"
  install -D -m 0644 "$HERE/share/outpost/prometheus/outpost-alerts.yml" \
    "$DESTDIR$PREFIX/share/outpost/prometheus/outpost-alerts.yml"
  install -D -m 0755 "$HERE/bin/outpost" "$DESTDIR$PREFIX/bin/outpost"
  # the function SDK (a local Maven repository, the Python testkit and the wasm scaffold's npm packages), replaced
  # whole on upgrade
  rm -rf "$DESTDIR$PREFIX/share/outpost/sdk"
  cp -R "$HERE/share/outpost/sdk" "$DESTDIR$PREFIX/share/outpost/sdk"
  chmod -R u=rwX,go=rX "$DESTDIR$PREFIX/share/outpost/sdk"
  install -D -m 0644 "$HERE/share/doc/outpost/operations.md" "$DESTDIR$PREFIX/share/doc/outpost/operations.md"
  install -d -m 0750 "$DESTDIR$CONF_DIR"
  install_config "$HERE/etc/outpost/outpost.yaml" "$CONF_DIR/outpost.yaml" 0640
  install_config "$HERE/etc/default/outpost" /etc/default/outpost 0644
  install -d -m 0755 "$DESTDIR$(dirname "$UNIT_FILE")"
  sed -e "s#/usr/bin/outpost#$PREFIX/bin/outpost#g" -e "s#/usr/share/doc/outpost#$PREFIX/share/doc/outpost#g" \
    "$HERE/systemd/outpost.service" > "$DESTDIR$UNIT_FILE"
  chmod 0644 "$DESTDIR$UNIT_FILE"
  install -d -m 0750 "$DESTDIR$DATA_DIR"
}

case "$mode" in
  install|install-only)
    stop_service
    install_files
    if [ -z "$DESTDIR" ]; then
      create_user
      chown "$USER_NAME:$USER_NAME" "$DATA_DIR"
      chown "root:$USER_NAME" "$CONF_DIR" "$CONF_DIR/outpost.yaml"
      # a failure only costs start-up time (the launcher starts without an archive), never the installation
      "$PREFIX/bin/outpost" update-cds-archive || echo "outpost: starting without a class-data sharing archive" >&2
    fi
    if has_systemd; then
      systemctl daemon-reload
      if [ "$mode" = install ]; then
        systemctl enable outpost.service
        systemctl start outpost.service || echo "outpost.service did not start: systemctl status outpost" >&2
      fi
    fi
    echo "installed Outpost in $DESTDIR$PREFIX (configuration $CONF_DIR/outpost.yaml, data $DATA_DIR)"
    ;;
  uninstall|purge)
    stop_service
    if has_systemd; then
      systemctl disable outpost.service >/dev/null 2>&1 || true
    fi
    rm -f "$DESTDIR$UNIT_FILE" "$DESTDIR$PREFIX/bin/outpost"
    rm -rf "$DESTDIR$PREFIX/share/outpost" "$DESTDIR$PREFIX/share/doc/outpost" "$DESTDIR$CDS_DIR"
    if has_systemd; then
      systemctl daemon-reload
    fi
    if [ "$mode" = purge ]; then
      rm -rf "$DESTDIR$CONF_DIR" "$DESTDIR/etc/default/outpost" "$DESTDIR$DATA_DIR"
      echo "removed Outpost with its configuration and data (the $USER_NAME user remains)"
    else
      echo "removed Outpost; kept $CONF_DIR, /etc/default/outpost and $DATA_DIR"
    fi
    ;;
esac
