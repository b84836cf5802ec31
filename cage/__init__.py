"""The cage worker: one process per cage, running a WALI module under wasmtime.

Start it through the kernel (``python -m cage`` with the descriptors the kernel
passes); see ``cage.worker`` for the protocol.
"""
