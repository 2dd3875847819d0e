"""Loads one program of an eBPF ELF object into the running Linux kernel and
reports the kernel verifier's verdict: the oracle for scripts/corpus/compare.py.

libbpf 1.x refuses the legacy "maps" section most of the PREVAIL corpus uses,
so this is a small loader of its own, written from the ELF and bpf(2) ABIs:
maps from "maps"/"maps/*" sections (struct bpf_map_def and its extensions:
the first five u32 are type, key, value, max_entries, flags), global data
(.data/.rodata/.bss as one-element arrays), bpf-to-bpf calls into .text, and
map relocations. Objects with BTF-defined maps (".maps") are not handled here:
the caller reports them as not judged by this loader.

Verdicts: ("accept", ""), ("reject", first kernel log line that explains),
("nojudge", why the kernel cannot judge this program here).
"""
import ctypes
import errno
import os
import struct

SYS_BPF = 321  # x86-64
BPF_MAP_CREATE, BPF_MAP_UPDATE_ELEM, BPF_PROG_LOAD, BPF_MAP_FREEZE = 0, 2, 5, 22

libc = ctypes.CDLL(None, use_errno=True)


def bpf(cmd, attr: bytes):
    buf = ctypes.create_string_buffer(attr, len(attr))
    ret = libc.syscall(SYS_BPF, cmd, buf, len(attr))
    return ret, (ctypes.get_errno() if ret < 0 else 0)


class Elf:
    def __init__(self, data: bytes):
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            raise ValueError("not a 64-bit little-endian ELF object")
        self.data = data
        (self.e_machine,) = struct.unpack_from("<H", data, 18)
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
        self.sections = []
        for i in range(shnum):
            name, typ, flags, addr, off, size, link, info, align, entsize = struct.unpack_from(
                "<IIQQQQIIQQ", data, shoff + i * shentsize)
            self.sections.append(dict(name_off=name, type=typ, flags=flags, off=off, size=size, link=link,
                                      info=info, entsize=entsize, index=i))
        strtab = self.sections[shstrndx]
        for s in self.sections:
            s["name"] = self.cstr(strtab["off"] + s["name_off"])
        self.symbols = []
        for s in self.sections:
            if s["type"] == 2:  # SHT_SYMTAB
                names = self.sections[s["link"]]
                for k in range(s["size"] // 24):
                    st_name, st_info, st_other, st_shndx, st_value, st_size = struct.unpack_from(
                        "<IBBHQQ", data, s["off"] + 24 * k)
                    self.symbols.append(dict(name=self.cstr(names["off"] + st_name), info=st_info, shndx=st_shndx,
                                             value=st_value, size=st_size))

    def cstr(self, off):
        end = self.data.index(b"\0", off)
        return self.data[off:end].decode(errors="replace")

    def body(self, s):
        if s["type"] == 8:  # SHT_NOBITS
            return bytes(s["size"])
        return self.data[s["off"]:s["off"] + s["size"]]

    def by_name(self, name):
        for s in self.sections:
            if s["name"] == name:
                return s
        return None

    def rels(self, target_index):
        out = []
        for s in self.sections:
            if s["type"] == 9 and s["info"] == target_index:  # SHT_REL: the addend is in the instruction
                for k in range(s["size"] // 16):
                    off, info = struct.unpack_from("<QQ", self.data, s["off"] + 16 * k)
                    out.append((off, info >> 32, None))
            if s["type"] == 4 and s["info"] == target_index:  # SHT_RELA (old toolchains)
                for k in range(s["size"] // 24):
                    off, info, addend = struct.unpack_from("<QQq", self.data, s["off"] + 24 * k)
                    out.append((off, info >> 32, addend))
        return out


def is_map_section(name):
    return name == "maps" or name.startswith("maps/")


def program_sections(elf):
    """Executable sections with code (one program each, libbpf 0.x style), not .text."""
    return [s for s in elf.sections
            if s["type"] == 1 and (s["flags"] & 4) and s["size"] > 0 and s["name"] != ".text"]


def nr_cpus():
    try:
        with open("/sys/devices/system/cpu/possible") as f:
            text = f.read().strip()
        return int(text.split("-")[-1]) + 1
    except OSError:
        return os.cpu_count() or 1


class Loader:
    def __init__(self, elf):
        self.elf = elf
        self.fds = []
        self.map_fd = {}   # (section index, offset) -> fd
        self.data_fd = {}  # section index -> fd (global data)

    def close(self):
        for fd in self.fds:
            os.close(fd)

    def create_map(self, typ, key, value, entries, flags, inner_fd=0, name=b""):
        if entries == 0:  # set by the loader at run time (perf_event_array, per-CPU scratch): one per CPU
            entries = nr_cpus()
        attr = struct.pack("<IIIIIII16s", typ, key, value, entries, flags, inner_fd, 0, name[:15]) + bytes(80)
        fd, err = bpf(BPF_MAP_CREATE, attr)
        if fd < 0:
            raise OSError(err, "map create (type %d key %d value %d max %d flags %#x): %s" %
                          (typ, key, value, entries, flags, os.strerror(err)))
        self.fds.append(fd)
        return fd

    def create_maps(self):
        elf = self.elf
        for s in elf.sections:
            if not is_map_section(s["name"]):
                continue
            syms = sorted([y for y in elf.symbols if y["shndx"] == s["index"] and (y["info"] & 0xF) != 3],
                          key=lambda y: y["value"])
            if not syms:
                continue
            size = syms[0]["size"] or s["size"] // len(syms)
            body = elf.body(s)
            defs = []
            for y in syms:
                raw = body[y["value"]:y["value"] + max(size, 20)]
                fields = list(struct.unpack_from("<%dI" % (len(raw) // 4), raw))
                defs.append((y, fields))
            # bpf_map_def.inner_map_idx (u32 #5) names the inner map template of a map of maps.
            created = {}

            def make(i, depth=0):
                if i in created:
                    return created[i]
                y, f = defs[i]
                typ, key, value, entries, flags = f[:5]
                inner_fd = 0
                if typ in (12, 13):  # array_of_maps, hash_of_maps
                    inner = f[5] if len(f) > 5 else 0
                    if depth > 2 or inner >= len(defs):
                        inner_fd = self.create_map(2, 4, 4, 1, 0)
                    else:
                        inner_fd = make(inner, depth + 1)
                    value = 4
                fd = self.create_map(typ, key, value, entries, flags & ~0x40, inner_fd, y["name"].encode())
                created[i] = fd
                return fd

            for i, (y, _) in enumerate(defs):
                self.map_fd[(s["index"], y["value"])] = make(i)

    def create_global_data(self, index):
        if index in self.data_fd:
            return self.data_fd[index]
        s = self.elf.sections[index]
        size = max(s["size"], 1)
        fd = self.create_map(2, 4, size, 1, 0x80 if s["name"].startswith(".rodata") else 0, 0,
                             s["name"].strip(".").encode())
        value = ctypes.create_string_buffer(self.elf.body(s) + bytes(size - s["size"]), size)
        key = ctypes.create_string_buffer(b"\0\0\0\0", 4)
        attr = struct.pack("<I4xQQQ", fd, ctypes.addressof(key), ctypes.addressof(value), 0)
        ret, err = bpf(BPF_MAP_UPDATE_ELEM, attr)
        if ret < 0:
            raise OSError(err, "global data update: " + os.strerror(err))
        if s["name"].startswith(".rodata"):
            bpf(BPF_MAP_FREEZE, struct.pack("<I", fd) + bytes(60))
        self.data_fd[index] = fd
        return fd

    def relocate(self, insns, section, base, text_base):
        """Applies `section`'s relocations to insns[base:]; calls into .text go to text_base."""
        elf = self.elf
        for off, symi, addend in elf.rels(section["index"]):
            i = base + off // 8
            sym = elf.symbols[symi]
            opcode, regs, ioff, imm = struct.unpack_from("<BBhi", insns, i * 8)
            target = elf.sections[sym["shndx"]] if 0 < sym["shndx"] < len(elf.sections) else None
            if opcode == 0x85 and (regs >> 4) == 1:  # bpf-to-bpf call
                if target is None:
                    raise LookupError("call to undefined function '%s' (no loader can resolve it)" % sym["name"])
                if target["name"] != ".text" or text_base is None:
                    raise LookupError("call to a function outside .text")
                callee = text_base + sym["value"] // 8 + (imm + 1 if (sym["info"] & 0xF) == 3 else 0)
                struct.pack_into("<i", insns, i * 8 + 4, callee - (i + 1))
            elif opcode == 0x18:
                if target is None:
                    raise LookupError("relocation against undefined symbol '%s'" % sym["name"])
                if is_map_section(target["name"]):
                    at = sym["value"]
                    if (sym["info"] & 0xF) == 3:  # section symbol: the offset is the addend
                        at += imm if addend is None else addend
                    fd = self.map_fd.get((target["index"], at))
                    if fd is None:
                        raise LookupError("no map at %s+%d" % (target["name"], sym["value"]))
                    struct.pack_into("<BBhi", insns, i * 8, opcode, (regs & 0x0F) | (1 << 4), ioff, fd)
                elif target["name"].startswith((".data", ".rodata", ".bss")):
                    fd = self.create_global_data(target["index"])
                    struct.pack_into("<BBhi", insns, i * 8, opcode, (regs & 0x0F) | (2 << 4), ioff, fd)
                    value_off = sym["value"] + imm
                    struct.pack_into("<i", insns, (i + 1) * 8 + 4, value_off)
                elif target["name"] == ".text":  # callback (BPF_PSEUDO_FUNC)
                    if text_base is None:
                        raise LookupError("function pointer outside .text")
                    callee = text_base + (sym["value"] + imm) // 8
                    struct.pack_into("<BBhi", insns, i * 8, opcode, (regs & 0x0F) | (4 << 4), ioff, callee - i)
                else:
                    raise LookupError("relocation into section '%s'" % target["name"])


def uses_call_to_text(elf, section):
    text = elf.by_name(".text")
    if text is None:
        return False
    for off, symi, _ in elf.rels(section["index"]):
        sym = elf.symbols[symi]
        if sym["shndx"] == text["index"]:
            return True
    return False


def load(path, section_name, prog_type, expected_attach_type=0):
    with open(path, "rb") as f:
        elf = Elf(f.read())
    if elf.e_machine not in (247, 0):
        return "nojudge", "e_machine %d is not BPF" % elf.e_machine
    if elf.by_name(".maps") is not None:
        return "nojudge", "BTF-defined maps (.maps): not handled by this loader"
    section = elf.by_name(section_name)
    if section is None:
        return "nojudge", "no section " + section_name
    lic = elf.by_name("license")
    license = elf.body(lic).split(b"\0")[0] if lic else b""
    ver = elf.by_name("version")
    kern_version = struct.unpack_from("<I", elf.body(ver))[0] if ver and ver["size"] >= 4 else 0
    loader = Loader(elf)
    try:
        loader.create_maps()
        insns = bytearray(elf.body(section))
        text_base = None
        text = elf.by_name(".text")
        if text is not None and text["size"] and uses_call_to_text(elf, section):
            text_base = len(insns) // 8
            insns += elf.body(text)
        loader.relocate(insns, section, 0, text_base)
        if text_base is not None:
            loader.relocate(insns, text, text_base, text_base)
    except OSError as e:
        loader.close()
        return "nojudge", str(e.strerror if e.strerror else e)
    except LookupError as e:
        loader.close()
        return "nojudge", str(e)
    try:
        log_size = 1 << 24
        log = ctypes.create_string_buffer(log_size)
        code = ctypes.create_string_buffer(bytes(insns), len(insns))
        lic_buf = ctypes.create_string_buffer(license + b"\0")
        name = section_name.replace("/", "_").encode()[:15]
        attr = struct.pack("<IIQQIIQII16sII", prog_type, len(insns) // 8, ctypes.addressof(code),
                           ctypes.addressof(lic_buf), 1, log_size, ctypes.addressof(log), kern_version, 0,
                           name if all(c.isalnum() or c in "_." for c in name.decode()) else b"",
                           0, expected_attach_type) + bytes(80)
        fd, err = bpf(BPF_PROG_LOAD, attr)
        if fd >= 0:
            os.close(fd)
            return "accept", ""
        text = log.value.decode(errors="replace").strip().splitlines()
        if err == errno.EINVAL and not text:
            return "nojudge", "EINVAL without a log (program type or attach type not loadable this way)"
        if err in (errno.EPERM, errno.ENOTSUPP if hasattr(errno, "ENOTSUPP") else 524, 524):
            return "nojudge", os.strerror(err) if err != 524 else "ENOTSUPP"
        reason = ""
        for line in reversed(text):
            if line.startswith(("processed ", "verification time", "stack depth", "mark_precise", "-- END")):
                continue
            reason = line
            break
        return "reject", reason or os.strerror(err)
    finally:
        loader.close()
