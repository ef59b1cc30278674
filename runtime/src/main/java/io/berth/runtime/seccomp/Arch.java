package io.berth.runtime.seccomp;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The architectures the compiler has syscall tables for, by their libseccomp names. x86_64 and x32 share
 * AUDIT_ARCH_X86_64; an x32 syscall number has bit 30 (__X32_SYSCALL_BIT) set.
 */
public enum Arch {
    X86_64("SCMP_ARCH_X86_64", 0xC000003E, true, SyscallTables.X86_64),
    X86("SCMP_ARCH_X86", 0x40000003, false, SyscallTables.X86),
    X32("SCMP_ARCH_X32", 0xC000003E, false, SyscallTables.X32);

    /** linux/audit.h AUDIT_ARCH_X86_64 and AUDIT_ARCH_I386. */
    public static final int AUDIT_ARCH_X86_64 = 0xC000003E, AUDIT_ARCH_I386 = 0x40000003;
    public static final int X32_SYSCALL_BIT = 0x40000000;
    /** Syscall numbers (without the x32 bit) are below this in every table (checked as a table is read). */
    static final int SLOTS = 1024;

    /**
     * libseccomp's other architecture names (config-linux.md lists them). An x86 kernel never reports their
     * AUDIT_ARCH values, so a filter that lists them behaves exactly as one that does not: accepted, no code.
     */
    public static final List<String> FOREIGN = List.of("SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",
            "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
            "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390",
            "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",
            "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB");

    private final String scmpName;
    private final int audit;
    private final boolean args64;
    private final String table;
    private volatile Map<String, Integer> numbers;

    Arch(String scmpName, int audit, boolean args64, String table) {
        this.scmpName = scmpName;
        this.audit = audit;
        this.args64 = args64;
        this.table = table;
    }

    public String scmpName() {
        return scmpName;
    }

    /** The AUDIT_ARCH_* value in seccomp_data.arch. */
    public int audit() {
        return audit;
    }

    /**
     * Whether argument conditions compare all 64 bits. libseccomp treats x86 and x32 as 32-bit
     * architectures and compares only the low 32 bits of an argument there; so do we.
     */
    public boolean args64() {
        return args64;
    }

    public static Optional<Arch> byName(String scmpName) {
        for (Arch a : values()) {
            if (a.scmpName.equals(scmpName)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** The syscall's number on this architecture, if it has one. */
    public Optional<Integer> number(String syscall) {
        return Optional.ofNullable(numbers().get(syscall));
    }

    /** name → number, parsed from the table on first use. */
    Map<String, Integer> numbers() {
        Map<String, Integer> m = numbers;
        if (m == null) {
            m = new HashMap<>(1024);
            int i = 0, n = table.length();
            while (i < n) {
                while (i < n && Character.isWhitespace(table.charAt(i))) {
                    i++;
                }
                int sp = table.indexOf(' ', i), semi = table.indexOf(';', i);
                if (sp < 0 || semi < 0) {
                    break;
                }
                int nr = Integer.parseInt(table, sp + 1, semi, 10);
                if ((nr & ~X32_SYSCALL_BIT) >= SLOTS) {
                    throw new IllegalStateException(scmpName + ": syscall number " + nr + " beyond the compiler's slots");
                }
                m.put(table.substring(i, sp), nr);
                i = semi + 1;
            }
            numbers = m;
        }
        return m;
    }
}
