"""`python -m blog.core.precompress static`: brotli and gzip copies of the static text files.

Run by `make setup`. Each copy is made at the highest level (done once, so the time does not
matter): the app sends them (`blog.core.assets`) and nginx's `gzip_static` sends the `.gz`.
"""

from __future__ import annotations

import gzip
import os
import sys
from pathlib import Path

import brotli

from blog.core.assets import COMPRESSIBLE, MIN_COMPRESS_SIZE, PRECOMPRESSED, decompress


def compress(encoding: str, data: bytes) -> bytes:
    """`data` encoded as `encoding` ("br" or "gzip") at the highest level, the same every time."""
    if encoding == "br":
        return bytes(brotli.compress(data, quality=11))
    return gzip.compress(data, compresslevel=9, mtime=0)


def precompress(folder: Path) -> list[Path]:
    """Write the `.br` and `.gz` copy of each text file in `folder`; return those (re)written.

    A copy that already holds its file is left alone; a copy whose file is gone is removed.
    """
    written = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix in PRECOMPRESSED.values():
            original = path.with_suffix("")
            if original.suffix in COMPRESSIBLE and not original.exists():
                path.unlink()
            continue
        if path.suffix not in COMPRESSIBLE or path.stat().st_size < MIN_COMPRESS_SIZE:
            continue
        body = path.read_bytes()
        for encoding, suffix in PRECOMPRESSED.items():
            target = path.with_name(path.name + suffix)
            if target.exists() and decompress(encoding, target.read_bytes()) == body:
                continue
            temporary = target.with_name(f".{target.name}.{os.getpid()}")
            temporary.write_bytes(compress(encoding, body))
            # Readable by whoever may read the file itself (nginx's workers, for one).
            temporary.chmod(path.stat().st_mode & 0o777)
            temporary.replace(target)
            written.append(target)
    return written


def main(arguments: list[str]) -> int:
    """Precompress the folder named on the command line."""
    if len(arguments) != 1 or not Path(arguments[0]).is_dir():
        print("usage: python -m blog.core.precompress STATIC_FOLDER", file=sys.stderr)
        return 2
    written = precompress(Path(arguments[0]))
    print(f"precompressed {len(written)} file(s) in {arguments[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
