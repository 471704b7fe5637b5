#!/usr/bin/env python3
"""Derives the committed ecdh_secp*_ssh.json files from Wycheproof's ecdh_secp*_test.json.

SSH carries an ECDH public key as a bare SEC 1 point (RFC 5656 §4), never as the X.509
SubjectPublicKeyInfo that Wycheproof's ecdh files use. This keeps every test case whose key
names the curve in the standard way and replaces its DER with the point inside; it drops
the cases about the ASN.1 wrapping itself (InvalidAsn, UnnamedCurve: explicit or modified
curve parameters), which no SSH peer can send. Results, flags and shared secrets are kept.

Usage: subset_ecdh.py <wycheproof dir> <output dir>
"""
import json
import sys

# DER of AlgorithmIdentifier { id-ecPublicKey, namedCurve } for each curve (RFC 5480 §2.1.1).
EC_PUBLIC_KEY = "06072a8648ce3d0201"
CURVE_OIDS = {
    "secp256r1": "06082a8648ce3d030107",
    "secp384r1": "06052b81040022",
    "secp521r1": "06052b81040023",
}


def read_tlv(data, offset):
    tag = data[offset]
    length = data[offset + 1]
    offset += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[offset:offset + count], "big")
        offset += count
    return tag, data[offset:offset + length], offset + length


def point_of(spki_hex):
    """The point of a well-formed named-curve SubjectPublicKeyInfo, with its curve OID."""
    try:
        return parse_spki(bytes.fromhex(spki_hex))
    except (IndexError, ValueError):
        return None


def parse_spki(data):
    tag, body, end = read_tlv(data, 0)
    if tag != 0x30 or end != len(data):
        return None
    tag, algorithm, offset = read_tlv(body, 0)
    if tag != 0x30 or not algorithm.hex().startswith(EC_PUBLIC_KEY):
        return None
    curve_oid = algorithm.hex()[len(EC_PUBLIC_KEY):]
    tag, bits, offset = read_tlv(body, offset)
    if tag != 0x03 or offset != len(body) or not bits or bits[0] != 0:
        return None
    return curve_oid, bits[1:].hex()


def main(source_dir, output_dir):
    for curve, oid in CURVE_OIDS.items():
        with open(f"{source_dir}/ecdh_{curve}_test.json") as f:
            source = json.load(f)
        kept = dropped = 0
        for group in source["testGroups"]:
            tests = []
            for test in group["tests"]:
                flags = set(test["flags"])
                parsed = point_of(test["public"])
                # WrongCurve cases carry another curve's OID; their point still must fail here.
                if flags & {"InvalidAsn", "UnnamedCurve"} or parsed is None or (
                        parsed[0] != oid and "WrongCurve" not in flags):
                    dropped += 1
                    continue
                test = dict(test)
                test["public"] = parsed[1]
                tests.append(test)
                kept += 1
            group["tests"] = tests
            group["encoding"] = "ecpoint"
        source["header"] = source.get("header", []) + [
            "Portal subset (tests/vectors/crypto/wycheproof/subset_ecdh.py): public keys as bare "
            "SEC 1 points, ASN.1-wrapping cases dropped."]
        source["numberOfTests"] = kept
        with open(f"{output_dir}/ecdh_{curve}_ssh.json", "w") as f:
            json.dump(source, f, separators=(",", ":"))
            f.write("\n")
        print(f"{curve}: kept {kept}, dropped {dropped}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
