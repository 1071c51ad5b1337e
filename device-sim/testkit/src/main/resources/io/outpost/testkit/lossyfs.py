#!/usr/bin/python3
"""A FUSE passthrough filesystem that can lose what was not fsync'd, as a power cut does.

Usage: lossyfs.py BACKING GRAVEYARD MOUNTPOINT [--metadata strict|journal]

Every operation passes through to BACKING. The layer remembers, per file (by inode), its size and the content of
every page overwritten since the file's last fsync/fdatasync, and, per directory, its entries at its last fsync
(strict) or at the last fsync of anything (journal, like ext4's single journal). Removed or replaced files are kept
alive as hard links in GRAVEYARD (same filesystem as BACKING) so that a cut can bring them back.

Control on stdin, one command a line:
  cut          unmount, then return every file to its content at its last fsync and every directory to its entries
               at its last directory fsync (strict) or last fsync (journal); print "cut ..." and exit 0
  cut torn N   the same, but each page written since the last fsync independently keeps its new content or not, and
               an extended file keeps its new length or not (random, seed N): a torn write
  close        unmount and exit 0 without losing anything
Prints "mounted" once the mount serves requests. Closed stdin = close.
"""
import errno
import os
import random
import shutil
import stat
import subprocess
import sys
import threading

import fusepy
from fusepy import FUSE, FuseOSError, Operations

PAGE = 4096


class FileState:
    """What survives a cut of one inode: its size at the last fsync and the pages overwritten since."""

    def __init__(self, durable_size):
        self.durable_size = durable_size
        self.undo = {}  # page index -> content of that page at the last fsync (may be short at the end of file)


class LossyFs(Operations):
    def __init__(self, backing, graveyard, metadata):
        self.root = os.path.realpath(backing)
        self.graveyard = os.path.realpath(graveyard)
        self.metadata = metadata
        self.files = {}  # inode -> FileState, for files written or created since mount
        self.durable = {}  # directory inode -> {name: entry}
        self.mutex = threading.RLock()
        self.commit_all()

    # ---- namespace bookkeeping -------------------------------------------------------------------------------

    def real(self, path):
        return os.path.join(self.root, path.lstrip('/'))

    def listing(self, base):
        entries = {}
        for name in os.listdir(base):
            st = os.lstat(os.path.join(base, name))
            if stat.S_ISDIR(st.st_mode):
                entries[name] = ('d', st.st_ino)
            elif stat.S_ISLNK(st.st_mode):
                entries[name] = ('l', os.readlink(os.path.join(base, name)))
            else:
                entries[name] = ('f', st.st_ino)
        return entries

    def commit_dir(self, base):
        # a directory's entries belong to the directory (its inode), not to its path: a renamed one keeps them
        self.durable[os.lstat(base).st_ino] = self.listing(base)

    def commit_all(self):
        self.durable = {}
        self.root_ino = os.lstat(self.root).st_ino
        for dirpath, dirnames, _ in os.walk(self.root):
            self.commit_dir(dirpath)

    def bury(self, real_path):
        """Keeps a file that is about to be removed or replaced alive in the graveyard, by inode."""
        try:
            st = os.lstat(real_path)
        except FileNotFoundError:
            return
        if stat.S_ISREG(st.st_mode):
            grave = os.path.join(self.graveyard, str(st.st_ino))
            if not os.path.exists(grave):
                os.link(real_path, grave)

    def state(self, fh):
        st = os.fstat(fh)
        state = self.files.get(st.st_ino)
        if state is None:
            state = self.files[st.st_ino] = FileState(st.st_size)
        return state, st

    def save_pages(self, fh, state, first, last):
        for page in range(first, last + 1):
            if page * PAGE >= state.durable_size:
                break  # beyond the synced size: the cut truncates it anyway
            if page not in state.undo:
                state.undo[page] = os.pread(fh, PAGE, page * PAGE)

    # ---- passthrough operations --------------------------------------------------------------------------------

    def access(self, path, mode):
        if not os.access(self.real(path), mode):
            raise FuseOSError(errno.EACCES)

    def getattr(self, path, fh=None):
        st = os.fstat(fh) if fh is not None else os.lstat(self.real(path))
        return {key: getattr(st, key) for key in (
            'st_atime', 'st_ctime', 'st_gid', 'st_mode', 'st_mtime', 'st_nlink', 'st_size', 'st_uid')}

    def readdir(self, path, fh):
        return ['.', '..'] + os.listdir(self.real(path))

    def readlink(self, path):
        return os.readlink(self.real(path))

    def statfs(self, path):
        sv = os.statvfs(self.real(path))
        return {key: getattr(sv, key) for key in (
            'f_bavail', 'f_bfree', 'f_blocks', 'f_bsize', 'f_favail', 'f_ffree', 'f_files', 'f_flag', 'f_frsize',
            'f_namemax')}

    def chmod(self, path, mode):
        os.chmod(self.real(path), mode)

    def chown(self, path, uid, gid):
        os.chown(self.real(path), uid, gid)

    def utimens(self, path, times=None):
        os.utime(self.real(path), times)

    def mkdir(self, path, mode):
        with self.mutex:
            os.mkdir(self.real(path), mode)

    def rmdir(self, path):
        with self.mutex:
            os.rmdir(self.real(path))

    def unlink(self, path):
        with self.mutex:
            self.bury(self.real(path))
            os.unlink(self.real(path))

    def symlink(self, target, source):
        with self.mutex:
            os.symlink(source, self.real(target))

    def link(self, target, source):
        with self.mutex:
            os.link(self.real(source), self.real(target))

    def rename(self, old, new):
        with self.mutex:
            self.bury(self.real(new))
            os.rename(self.real(old), self.real(new))

    @staticmethod
    def backing_flags(flags):
        # read access for saving pages; the kernel already turned O_APPEND into explicit offsets
        flags &= ~(os.O_APPEND | os.O_TRUNC | os.O_CREAT | os.O_EXCL)
        if flags & os.O_ACCMODE == os.O_WRONLY:
            flags = (flags & ~os.O_ACCMODE) | os.O_RDWR
        return flags

    def open(self, path, flags):
        with self.mutex:
            fh = os.open(self.real(path), self.backing_flags(flags))
            if flags & os.O_TRUNC:
                state, st = self.state(fh)
                self.save_pages(fh, state, 0, (st.st_size - 1) // PAGE)
                os.ftruncate(fh, 0)
            return fh

    def create(self, path, mode, fi=None):
        with self.mutex:
            real = self.real(path)
            existed = os.path.exists(real)
            fh = os.open(real, os.O_RDWR | os.O_CREAT, mode)
            state, st = self.state(fh)
            if not existed:
                state.durable_size = 0  # nothing of a new file is durable before its first fsync
            return fh

    def read(self, path, size, offset, fh):
        return os.pread(fh, size, offset)

    def write(self, path, data, offset, fh):
        with self.mutex:
            state, _ = self.state(fh)
            if data:
                self.save_pages(fh, state, offset // PAGE, (offset + len(data) - 1) // PAGE)
            return os.pwrite(fh, data, offset)

    def truncate(self, path, length, fh=None):
        with self.mutex:
            own = fh is None
            if own:
                fh = os.open(self.real(path), os.O_RDWR)
            try:
                state, st = self.state(fh)
                if length < st.st_size:
                    self.save_pages(fh, state, length // PAGE, (st.st_size - 1) // PAGE)
                os.ftruncate(fh, length)
            finally:
                if own:
                    os.close(fh)

    def flush(self, path, fh):
        return 0

    def release(self, path, fh):
        os.close(fh)
        return 0

    def fsync(self, path, datasync, fh):
        with self.mutex:
            st = os.fstat(fh)
            self.files[st.st_ino] = FileState(st.st_size)
            if self.metadata == 'journal':
                self.commit_all()
        return 0

    def opendir(self, path):
        return 0

    def releasedir(self, path, fh):
        return 0

    def fsyncdir(self, path, datasync, fh):
        with self.mutex:
            if self.metadata == 'journal':
                self.commit_all()
            else:
                self.commit_dir(self.real(path))
        return 0

    def init(self, path):
        print('mounted', flush=True)

    # ---- the cut ------------------------------------------------------------------------------------------------

    def revert(self, rng):
        """Runs unmounted: rebuilds BACKING from the durable entries and pages. Returns a summary."""
        # every file still in the tree joins the graveyard, so the tree can be rebuilt from it by inode
        for dirpath, dirnames, filenames in os.walk(self.root):
            for name in filenames:
                self.bury(os.path.join(dirpath, name))
        before = sum(len(entries) for entries in self.durable.values())
        for name in os.listdir(self.root):
            path = os.path.join(self.root, name)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.unlink(path)
        self.rebuild(self.root, self.root_ino)
        pages = sizes = 0
        for ino, state in self.files.items():
            grave = os.path.join(self.graveyard, str(ino))
            if not os.path.exists(grave) or ino not in self.linked:
                continue
            fd = os.open(grave, os.O_RDWR)
            try:
                size = os.fstat(fd).st_size
                keep_length = rng is not None and size > state.durable_size and rng.random() < 0.5
                for page, content in state.undo.items():
                    if rng is not None and rng.random() < 0.5:
                        continue  # torn: this page's new content reached the disk
                    os.pwrite(fd, content, page * PAGE)
                    pages += 1
                if keep_length:
                    # torn: the new length reached the disk, some of its new pages did not (zeros)
                    for page in range(state.durable_size // PAGE + 1, (size + PAGE - 1) // PAGE):
                        if rng.random() < 0.5:
                            os.pwrite(fd, bytes(min(PAGE, size - page * PAGE)), page * PAGE)
                elif size != state.durable_size:
                    os.ftruncate(fd, state.durable_size)
                    sizes += 1
            finally:
                os.close(fd)
        for name in os.listdir(self.graveyard):
            os.unlink(os.path.join(self.graveyard, name))
        return 'cut files=%d pages=%d truncated=%d entries=%d' % (len(self.files), pages, sizes, before)

    def rebuild(self, base, ino):
        for name, entry in self.durable.get(ino, {}).items():
            path = os.path.join(base, name)
            if entry[0] == 'd':
                os.mkdir(path)
                self.rebuild(path, entry[1])
            elif entry[0] == 'l':
                os.symlink(entry[1], path)
            else:
                grave = os.path.join(self.graveyard, str(entry[1]))
                if os.path.exists(grave):
                    os.link(grave, path)
                    self.linked.add(entry[1])


def main():
    args = sys.argv[1:]
    metadata = 'strict'
    if '--metadata' in args:
        i = args.index('--metadata')
        metadata = args[i + 1]
        del args[i:i + 2]
    backing, graveyard, mountpoint = args
    fs = LossyFs(backing, graveyard, metadata)
    fs.linked = set()
    command = {'cut': False, 'rng': None}

    def control():
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            if words[0] == 'cut':
                command['cut'] = True
                if len(words) == 3 and words[1] == 'torn':
                    command['rng'] = random.Random(int(words[2]))
            if words[0] in ('cut', 'close'):
                break
        subprocess.run(['fusermount', '-u', '-z', mountpoint], check=False)

    threading.Thread(target=control, name='lossyfs-control', daemon=True).start()
    FUSE(fs, mountpoint, foreground=True, nothreads=True, big_writes=True, max_write=131072)
    if command['cut']:
        print(fs.revert(command['rng']), flush=True)
    else:
        print('closed', flush=True)


if __name__ == '__main__':
    main()
