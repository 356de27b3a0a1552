"""What every generator in admin/ shares: its command line."""

import sys


def main(argv, output, render):
    """`python3 GENERATOR [OUTPUT]`: writes render()'s text to OUTPUT, or to stdout."""
    if len(argv) > 2 or (len(argv) == 2 and argv[1].startswith("-")):
        raise SystemExit(f"usage: python3 {argv[0]} [{output}]")
    text = render()
    if len(argv) == 2:
        with open(argv[1], "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    else:
        sys.stdout.buffer.write(text.encode("utf-8"))
