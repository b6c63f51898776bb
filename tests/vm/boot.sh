#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Boot the test VM: Debian's kernel and the initramfs make built, serial
# console on standard input and output; the guest writes its framed TAP to
# a virtio console that lands in VMDIR/tap.log.
# Usage: tests/vm/boot.sh VMDIR [KERNEL-ARG...]
#   VMDIR: one kernel's folder, .output/vm/NAME (kernel.env, initramfs.cpio)
#   tests/vm/boot.sh .output/vm/6.1 nstrace.shell=1       a shell in the guest
#   tests/vm/boot.sh .output/vm/6.1 nstrace.tests='*trace*'  some tests only
# /dev/kvm hangs on the development machine, so this is plain TCG.
# Single-threaded TCG by default: with one host thread per vCPU (MTTCG),
# attaching and detaching kprobes while other vCPUs ran the patched
# functions crashed the guest (jumps to 0, CPUs stuck at a function's first
# byte) in each of 7 boots; single-threaded, 4 boots were clean
# (docs/kmod.md). VM_TCG_THREAD=multi brings MTTCG back.
set -eu
kvm=$1
shift
. "$kvm/kernel.env"
exec qemu-system-x86_64 -accel "tcg,thread=${VM_TCG_THREAD:-single}" -cpu max -m 2G \
	-smp "${VM_CPUS:-2}" -nographic -nic none -no-reboot -kernel "$VMLINUZ" \
	-initrd "$kvm/initramfs.cpio" \
	-device virtio-serial-pci -chardev file,id=tap,path="$kvm/tap.log" \
	-device virtconsole,chardev=tap \
	-append "console=ttyS0 panic=-1 quiet $*"
