"""What the cage and the kernel share: syscall table, errno, flags, struct
layouts, the message codec and the ring layout. No I/O, no trio."""
