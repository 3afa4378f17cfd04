"""A separate process writing to a register, for the kill and concurrency tests.

    python -m tests.registry_worker import TARGET N BATCH_SIZE
        import the first N real township names, BATCH_SIZE per transaction
    python -m tests.registry_worker add TARGET TAG N
        add N places one write (one batch) at a time
"""

from __future__ import annotations

import sys
from datetime import date

from geonames.names.model import PlaceName
from geonames.registry import AUTO_ID, Registry
from tests.registry_support import nbs_places


def main(argv: list[str]) -> None:
    command, target = argv[0], argv[1]
    reg = Registry.open(target)
    if command == "import":
        n, size = int(argv[2]), int(argv[3])
        reg.import_places(nbs_places("townships", n), effective=date(2023, 12, 31),
                          source="worker", batch_size=size)
    elif command == "add":
        tag, n = argv[2], int(argv[3])
        for i in range(n):
            reg.add(PlaceName(id=AUTO_ID, name=f"{tag}{i}村", division_code="500101001201"),
                    effective=date(2024, 1, 1), reason=f"worker {tag}")
    reg.close()


if __name__ == "__main__":
    main(sys.argv[1:])
