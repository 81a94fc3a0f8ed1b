# SPDX-License-Identifier: MIT
"""The sim tier's profile matrix: every kernel the simulated host models (docs/sim.md
"Profiles"), and the cells today's snpvmm is known to fail.

A test method decorated with @on(profiles) and taking the profile as its argument becomes
one test per profile, test_<name>__<profile>; @expand on the class does the expansion. A
cell of a test that launches (through SNP_LAUNCH_UPDATE) on a profile listed in
KNOWN_VMM_DEFECTS is an expected failure: the model stays strict, the mark names the VMM
defect, and the branch that fixes the defect removes the mark (an unexpected success fails
the run). Tests that stop before SNP_LAUNCH_UPDATE say so with launches=False."""
import unittest

PROFILES = ("v12", "6.11", "6.17", "6.18", "6.19", "7.0")
UPSTREAM = tuple(p for p in PROFILES if p != "v12")

# profile -> why today's snpvmm fails a launch on it. Empty: issue 10 defect 1 (the v12
# series writes no LAUNCH_UPDATE progress back) is fixed; tests/sim/test_fidelity.py
# shows it on v12 end to end.
KNOWN_VMM_DEFECTS = {}


def on(*profiles, launches=True):
    """Runs the decorated test(self, profile) once per profile (default: all)."""
    def mark(fn):
        fn.sim_profiles = profiles or PROFILES
        fn.sim_launches = launches
        return fn
    return mark


def expand(cls):
    """Replaces every @on method of cls by one test method per profile."""
    for name, fn in list(vars(cls).items()):
        profiles = getattr(fn, "sim_profiles", None)
        if profiles is None:
            continue
        delattr(cls, name)
        base = name[len("test_"):] if name.startswith("test_") else name
        for profile in profiles:
            def test(self, fn=fn, profile=profile):
                fn(self, profile)
            test.__name__ = f"test_{base}__{profile.replace('.', '_')}"
            test.__doc__ = f"{fn.__doc__ or base} [profile {profile}]"
            if fn.sim_launches and profile in KNOWN_VMM_DEFECTS:
                test = unittest.expectedFailure(test)
            setattr(cls, test.__name__, test)
    return cls
