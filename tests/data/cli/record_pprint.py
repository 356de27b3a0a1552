"""Records `pprint.pformat` of every certificate dict in decode.json (arrays read back
as tuples, {"__bytes_hex__": h} as bytes), for the `sslctx demo` printer's test:

    python3 tests/data/cli/record_pprint.py > tests/data/cli/pprint_cases.json
"""

import json
import pprint
import sys


def py(v):
    if isinstance(v, list):
        return tuple(py(x) for x in v)
    if isinstance(v, dict):
        if set(v) == {"__bytes_hex__"}:
            return bytes.fromhex(v["__bytes_hex__"])
        return {k: py(x) for k, x in v.items()}
    return v


doc = json.load(open("tests/data/conformance/decode.json"))
cases = []
for group in ("certs", "extra"):
    for path, entry in doc[group].items():
        if entry["ok"]:
            cases.append({"path": path, "value": entry["value"], "pformat": pprint.pformat(py(entry["value"]))})
json.dump({"python": sys.version.split()[0], "cases": cases}, sys.stdout, indent=1)
print()
