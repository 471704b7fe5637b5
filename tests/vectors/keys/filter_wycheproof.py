#!/usr/bin/env python3
"""Copies the Wycheproof signature-verification files the key tests use, keeping only the
fields they read (the raw public key, the hash and each test's message, signature and
expected result), so the copies stay small. Run from this folder:

    python3 filter_wycheproof.py /path/to/wycheproof/testvectors_v1
"""
import json
import pathlib
import sys

FILES = [
    "ed25519_test.json",
    "ecdsa_secp256r1_sha256_test.json",
    "ecdsa_secp384r1_sha384_test.json",
    "ecdsa_secp521r1_sha512_test.json",
    "rsa_signature_2048_sha256_test.json",
    "rsa_signature_2048_sha512_test.json",
]
GROUP_KEYS = ("publicKey", "sha")
TEST_KEYS = ("tcId", "comment", "msg", "sig", "result")


def main(source: pathlib.Path) -> None:
    for name in FILES:
        data = json.loads((source / name).read_text())
        groups = []
        for group in data["testGroups"]:
            kept = {key: group[key] for key in GROUP_KEYS if key in group}
            kept["tests"] = [{key: test[key] for key in TEST_KEYS} for test in group["tests"]]
            groups.append(kept)
        out = {"algorithm": data["algorithm"], "source": name, "testGroups": groups}
        pathlib.Path(name).write_text(json.dumps(out, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]))
