#!/usr/bin/env python3
"""pcsc_probe.py READER ICCID_HEX - drive the card through pyscard: SELECT MF,
SELECT EF.ICCID, READ BINARY, compare the ICCID; exit 0 on a match."""
import sys
from smartcard.System import readers


def main():
    name, want = sys.argv[1], sys.argv[2].lower()
    r = [x for x in readers() if str(x) == name]
    if not r:
        print("pyscard: reader %r not found in %s" % (name, [str(x) for x in readers()]))
        return 1
    conn = r[0].createConnection()
    conn.connect()
    atr = bytes(conn.getATR())
    if atr[0] != 0x3B:
        print("pyscard: odd ATR %s" % atr.hex())
        return 1
    for apdu in ("00A40004023F00", "00A40004022FE2"):
        data, sw1, sw2 = conn.transmit(list(bytes.fromhex(apdu)))
        if sw1 not in (0x61, 0x90):
            print("pyscard: %s -> %02X%02X" % (apdu, sw1, sw2))
            return 1
    data, sw1, sw2 = conn.transmit(list(bytes.fromhex("00B000000A")))
    got = bytes(data).hex()
    conn.disconnect()
    if (sw1, sw2) != (0x90, 0x00) or got != want:
        print("pyscard: ICCID %s %02X%02X, want %s" % (got, sw1, sw2, want))
        return 1
    print("pyscard: ICCID %s ok" % got)
    return 0


if __name__ == "__main__":
    sys.exit(main())
