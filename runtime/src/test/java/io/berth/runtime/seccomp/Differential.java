package io.berth.runtime.seccomp;

import io.berth.spec.runtime.Seccomp;
import java.util.Random;

/** {@link LibseccompDifferentialTest}'s comparison, for tests in other packages (real peers' profiles). */
public final class Differential {
    private Differential() {}

    /** Our program and libseccomp's (+ runc's stub) give the same result on samples seccomp_data values. */
    public static void assertSameAsLibseccomp(Seccomp profile, int samples) throws Exception {
        try {
            System.out.println("profile with " + profile.syscalls().size() + " rules: libseccomp "
                    + LibseccompDifferentialTest.libseccomp(profile).size() + " instructions (+ runc's stub), ours "
                    + SeccompCompiler.compile(profile).program().size());
            LibseccompDifferentialTest.assertSameAsLibseccomp(profile, new Random(11), samples);
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
