#!/usr/bin/python3
"""Soak: N cycles of SIGKILL (or SIGKILL plus the loss of every unsynced write) of the packaged Outpost daemon while
devices publish at QoS 1 and 2 and the cloud link is randomly up or down; then reconciles what devices were
acknowledged for against what the cloud received. Driven by device-sim/bench/powercut-soak.sh; see its header."""
import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import paho.mqtt.client as mqtt

READY = re.compile(r'Outpost ready: mqtt://[^:]+:(\d+).*admin http://[^ ]+:(\d+)')
TOPIC = 'devices/+/telemetry'


class Link:
    """A TCP proxy from the daemon to the cloud that can refuse connections and cut live ones (the link going down)."""

    def __init__(self, target_port):
        self.target = ('127.0.0.1', target_port)
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(('127.0.0.1', 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self.up = True
        self.open = []
        self.lock = threading.Lock()
        threading.Thread(target=self.accept, daemon=True).start()

    def set_up(self, up):
        self.up = up
        if not up:
            with self.lock:
                for s in self.open:
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    s.close()
                self.open = []

    def accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pump, args=(a, b), daemon=True).start()

    @staticmethod
    def pump(a, b):
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.close()
            except OSError:
                pass


class Device:
    """A device publishing unique ids at one QoS, at most `window` unacknowledged; acked ids go to the shared set."""

    def __init__(self, port, name, qos, sequence, acked, window=16):
        self.name, self.qos, self.sequence, self.acked = name, qos, sequence, acked
        self.slots = threading.Semaphore(window)
        self.pending = {}
        self.early = set()  # mids acknowledged before publish() returned them
        self.lock = threading.Lock()
        self.running = True
        self.client = mqtt.Client(client_id=name, clean_session=True, protocol=mqtt.MQTTv311)
        self.client.max_inflight_messages_set(window)
        self.client.on_publish = self.on_publish
        self.connected = threading.Event()
        self.client.on_connect = lambda c, u, f, rc: rc == 0 and self.connected.set()
        self.client.connect('127.0.0.1', port, keepalive=30)
        self.client.loop_start()
        self.thread = threading.Thread(target=self.publish, daemon=True)

    def on_publish(self, client, userdata, mid):
        # runs under paho's message lock: publish() must not be called with self.lock held, or the two deadlock
        with self.lock:
            ident = self.pending.pop(mid, None)
            if ident is None:
                self.early.add(mid)
        if ident is not None:
            self.acknowledge(ident)

    def acknowledge(self, ident):
        self.acked.add(ident)
        self.slots.release()

    def publish(self):
        topic = 'devices/%s/telemetry' % self.name
        while self.running and self.client.is_connected():
            if not self.slots.acquire(timeout=0.05):
                continue
            ident = '%s-%d' % (self.name, self.sequence[0])
            self.sequence[0] += 1
            info = self.client.publish(topic, ident, qos=self.qos)
            if info.rc != mqtt.MQTT_ERR_SUCCESS:
                self.slots.release()
                return
            with self.lock:
                early = info.mid in self.early
                if early:
                    self.early.discard(info.mid)
                else:
                    self.pending[info.mid] = ident
            if early:
                self.acknowledge(ident)

    def start(self):
        if self.connected.wait(15):
            self.thread.start()

    def close(self):
        self.running = False
        if self.thread.is_alive():
            self.thread.join(5)
        self.client.loop_stop()
        self.client.disconnect()


class Lossy:
    """The test kit's lossy filesystem (lossyfs.py), mounted at work/lossy/mnt."""

    def __init__(self, script, work):
        self.script = script
        self.backing, self.graveyard, self.mnt = (os.path.join(work, 'lossy', d) for d in ('backing', 'graveyard', 'mnt'))
        for d in (self.backing, self.graveyard, self.mnt):
            os.makedirs(d, exist_ok=True)
        self.mount()

    def mount(self):
        self.process = subprocess.Popen(['/usr/bin/python3', self.script, self.backing, self.graveyard, self.mnt],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        if self.process.stdout.readline().strip() != 'mounted':
            raise SystemExit('lossy filesystem did not mount')

    def stop(self, command):
        self.process.stdin.write(command + '\n')
        self.process.stdin.flush()
        out = self.process.stdout.read().strip().splitlines()
        self.process.wait(60)
        return out[-1] if out else ''

    def cut(self, tear_seed=None):
        line = self.stop('cut' if tear_seed is None else 'cut torn %d' % tear_seed)
        self.mount()
        return line

    def close(self):
        self.stop('close')


def start_daemon(java, jar, config, work):
    tmp = os.path.join(work, 'tmp')
    os.makedirs(tmp, exist_ok=True)
    log = open(os.path.join(work, 'daemon.log'), 'a')
    process = subprocess.Popen([java, '-Xmx128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-XX:-UsePerfData',
                                '-Djava.io.tmpdir=' + tmp, '-jar', jar, 'run', '--config', config],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 90
    lines = []
    while time.time() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        log.write(line)
        lines.append(line)
        m = READY.search(line)
        if m:
            threading.Thread(target=drain_output, args=(process, log), daemon=True).start()
            return process, int(m.group(1))
    process.kill()
    raise SystemExit('daemon did not become ready; last output:\n' + ''.join(lines[-30:]))


def drain_output(process, log):
    for line in process.stdout:
        log.write(line)
        if ' ERROR ' in line:
            sys.stdout.write('  daemon ERROR: ' + line)
    log.flush()


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--cycles', type=int, default=100)
    p.add_argument('--mode', choices=['kill', 'powercut'], default='powercut')
    p.add_argument('--devices', type=int, default=4)
    p.add_argument('--seed', type=int, default=int(time.time()))
    p.add_argument('--max-seconds', type=float, default=3.0, help='longest run before a cut, per cycle')
    p.add_argument('--synchronous', default='full')
    p.add_argument('--cloud-port', type=int, required=True)
    p.add_argument('--work', required=True)
    p.add_argument('--jar', required=True)
    p.add_argument('--lossyfs', required=True)
    p.add_argument('--java', default='java')
    args = p.parse_args()
    rng = random.Random(args.seed)
    work = os.path.abspath(args.work)
    print('powercut-soak: %d %s cycles, %d devices (QoS 1 and 2), seed %d, work %s'
          % (args.cycles, args.mode, args.devices, args.seed, work), flush=True)

    arrivals = {}
    arrivals_lock = threading.Lock()

    def on_cloud_message(client, userdata, message):
        ident = message.payload.decode()
        with arrivals_lock:
            arrivals[ident] = arrivals.get(ident, 0) + 1

    cloud = mqtt.Client(client_id='soak-consumer', clean_session=False, protocol=mqtt.MQTTv311)
    cloud.on_message = on_cloud_message
    cloud.connect('127.0.0.1', args.cloud_port)
    cloud.subscribe(TOPIC, qos=1)
    cloud.loop_start()

    link = Link(args.cloud_port)
    lossy = Lossy(args.lossyfs, work) if args.mode == 'powercut' else None
    data = os.path.join(lossy.mnt if lossy else work, 'data')
    config = os.path.join(work, 'outpost.yaml')
    with open(config, 'w') as f:
        f.write('''broker: {listeners: [{host: 127.0.0.1, port: 0}]}
storage: {dir: %s, synchronous: %s}
cloud: {url: "tcp://127.0.0.1:%d", clientId: edge-soak, mqttVersion: "3.1.1", inflightWindow: 32,
        backoff: {initialMillis: 100, maxMillis: 500}}
routes: [{name: telemetry, from: local, filter: "%s", to: cloud}]
admin: {listen: "127.0.0.1:0"}
''' % (data, args.synchronous, link.port, TOPIC))

    acked = set()
    sequences = [[0] for _ in range(args.devices)]
    stop = threading.Event()
    # SIGINT or SIGTERM ends the cycling after the current cycle; the drain and the reconciliation still run
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    started = time.time()
    daemon = None
    cycles = 0
    try:
        cycles = 0
        for cycle in range(1, args.cycles + 1):
            if stop.is_set():
                print('stopping after %d cycles (signal)' % cycles, flush=True)
                break
            cycles = cycle
            up = rng.random() < 0.5
            run_for = rng.uniform(0.2, args.max_seconds)
            tear = rng.randrange(1 << 31) if lossy and rng.random() < 1 / 3 else None
            link.set_up(up)
            daemon, port = start_daemon(args.java, args.jar, config, work)
            devices = [Device(port, 'device%d' % i, 1 + i % 2, sequences[i], acked) for i in range(args.devices)]
            for d in devices:
                d.start()
            time.sleep(run_for)
            daemon.send_signal(signal.SIGKILL)
            daemon.wait(30)
            for d in devices:
                d.close()
            cut = lossy.cut(tear) if lossy else 'kill'
            with arrivals_lock:
                lost_so_far = sum(1 for i in acked if i not in arrivals)
                arrived = len(arrivals)
            print('cycle %5d/%d link %-4s %.1fs: acknowledged %8d, arrived %8d, not yet arrived %6d; %s%s'
                  % (cycle, args.cycles, 'up' if up else 'down', run_for, len(acked), arrived, lost_so_far, cut,
                     ' torn' if tear is not None else ''), flush=True)

        link.set_up(True)
        daemon, port = start_daemon(args.java, args.jar, config, work)
        deadline = time.time() + 300
        while time.time() < deadline:
            with arrivals_lock:
                missing = [i for i in acked if i not in arrivals]
            if not missing:
                break
            time.sleep(0.5)
        time.sleep(2)  # late duplicates
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(30)
    finally:
        if daemon and daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        if lossy:
            lossy.close()
        cloud.loop_stop()
        cloud.disconnect()
    with arrivals_lock:
        lost = sorted(i for i in acked if i not in arrivals)
        duplicates = sum(n - 1 for n in arrivals.values())
        unacked_arrivals = sum(1 for i in arrivals if i not in acked)
    backing = os.path.join(lossy.backing, 'data') if lossy else data
    aside = sorted(n for n in os.listdir(backing) if '.corrupt-' in n) if os.path.isdir(backing) else []
    print('RECONCILED mode=%s cycles=%d seconds=%d acknowledged=%d arrived=%d lost=%d duplicates=%d '
          'arrived-unacknowledged=%d moved-aside=%d seed=%d'
          % (args.mode, cycles, time.time() - started, len(acked), len(arrivals), len(lost), duplicates,
             unacked_arrivals, len(aside), args.seed), flush=True)
    if lost:
        print('first lost ids: %s' % lost[:10])
    sys.exit(1 if lost or aside else 0)


if __name__ == '__main__':
    main()
