;; A minimal WALI program in WAT: prints its arguments (or "hello, world") and exits 0.
;; Run it with:  warden run tests/guests/wat/hello.wat [words...]
(module
  (import "wali" "SYS_write" (func $write (param i32 i32 i32) (result i64)))
  (import "wali" "__cl_get_argc" (func $argc (result i32)))
  (import "wali" "__cl_get_argv_len" (func $arglen (param i32) (result i32)))
  (import "wali" "__cl_copy_argv" (func $copyarg (param i32 i32) (result i32)))
  (import "wali" "__proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1 16 shared)
  (data (i32.const 16) "hello, world\n")
  (data (i32.const 32) " ")
  (data (i32.const 33) "\n")
  (func (export "_start")
    (local $i i32) (local $n i32) (local $len i32)
    (local.set $n (call $argc))
    (if (i32.le_u (local.get $n) (i32.const 1))
      (then
        (drop (call $write (i32.const 1) (i32.const 16) (i32.const 13)))
        (call $exit (i32.const 0))))
    (local.set $i (i32.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $len (call $arglen (local.get $i)))
        (drop (call $copyarg (i32.const 1024) (local.get $i)))
        (drop (call $write (i32.const 1) (i32.const 1024) (local.get $len)))
        (if (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $n))
          (then (drop (call $write (i32.const 1) (i32.const 32) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (drop (call $write (i32.const 1) (i32.const 33) (i32.const 1)))
    (call $exit (i32.const 0))))
