"""Reading a normsdb/1 document record by record, never whole.

ijson's C parser (yajl2_c) turns the bytes into events; a loop in Python looks only at the
document's own keys, and each top-level list is handed, event by event, to ijson's C item
builder, which gives back one record at a time. One pass over the file for all the lists:
a pass per list would cost a skipping parse of the whole file each (about 4 s for 600 MB).
"""

import json
from itertools import islice

import ijson
from ijson.backends import yajl2_c
from ijson.utils import sendable_list

from .schema import FORMAT, TOP_LEVEL

CHUNK_EVENTS = 20_000


class NotJSON(Exception):
    """The bytes stop being JSON: the message says where."""


class DocumentReader:
    """Yields (top-level key, index, record) in file order; `errors` collects what is wrong
    with the document's own shape (format, unknown or repeated keys, a list that is not one).
    """

    def __init__(self, stream):
        self.stream = stream
        self.errors = []  # [(path, message)]
        self.format = None
        self.where = "the document"  # the record being read, for a syntax error

    def records(self):
        seen = set()
        events = ijson.parse(self.stream, use_float=True)
        try:
            first = next(events, None)
            if first is None or first[1] != "start_map":
                self.errors.append(("document", "must be a JSON object"))
                for _ in events:  # still read to the end: a broken file is reported as such
                    pass
                return
            for prefix, event, value in events:
                if prefix != "" or event != "map_key":
                    continue
                if value in seen:
                    self.errors.append((value, "appears twice in the document"))
                seen.add(value)
                if value == "format":
                    self.read_format(events)
                elif value not in TOP_LEVEL:
                    self.errors.append((value, "unknown top-level key"))
                else:
                    yield from self.read_list(value, events)
        except ijson.JSONError as error:
            reason = str(error).splitlines()[0]
            raise NotJSON(f"not valid JSON in {self.where} ({reason})") from None
        if "format" not in seen:
            self.errors.append(("format", f"must be {json.dumps(FORMAT)}, found nothing"))

    def read_format(self, events):
        _, event, value = next(events)
        self.format = value if event == "string" else None
        if self.format != FORMAT:
            shown = json.dumps(value) if event in ("string", "number", "boolean", "null") else event
            self.errors.append(("format", f"must be {json.dumps(FORMAT)}, found {shown}"))

    def read_list(self, key, events):
        _, event, _ = next(events)
        if event != "start_array":
            self.errors.append((key, "must be a list"))
            return
        # The list's events up to its own end_array (nested lists have longer prefixes),
        # fed to the C builder in chunks so that Python never touches an event itself.
        built = sendable_list()
        send = yajl2_c.items_basecoro(built, f"{key}.item").send
        inside = iter(events.__next__, (key, "end_array", None))
        index = 0
        self.where = f"{key}[0]"
        while True:
            count = len(list(map(send, islice(inside, CHUNK_EVENTS))))
            for record in built:
                yield key, index, record
                index += 1
                self.where = f"{key}[{index}]"
            built.clear()
            if count < CHUNK_EVENTS:
                self.where = "the document"
                return
