"""Leaves offloads switched on on a tap, as an appliance of the linux
target does (it asks for checksum and TCP segmentation offload toward
it), then lets go of it: the tap keeps them. The next holder of the tap
must clear them if it reads frames without a virtio-net header.

usage: tap_offload.py TAP"""
import fcntl
import os
import struct
import sys

TUNSETIFF, TUNSETOFFLOAD = 0x400454CA, 0x400454D0
IFF_TAP, IFF_NO_PI, IFF_VNET_HDR = 0x0002, 0x1000, 0x4000
TUN_F_CSUM, TUN_F_TSO4 = 0x01, 0x02

fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", sys.argv[1].encode(), IFF_TAP | IFF_NO_PI | IFF_VNET_HDR))
fcntl.ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4)
os.close(fd)
