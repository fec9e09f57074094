"""Checks of the Python peer's pieces that the benchmark's end-to-end check (its alert lines and ledger
against the monitor's) does not reach: the signer against the project's HMAC vectors, and the JSON
it writes for records the simulator never serves. Run: python3 -m unittest discover -s benchmark/python
(benchmark/run.sh runs it before the benchmark)."""

import datetime
import json
import os
import unittest

import floor_monitor as peer

VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "test", "resources",
                       "hmac-vectors.json")


class SignerTest(unittest.TestCase):

    def test_signature_of_every_vector_matches_its_authorization_header(self):
        with open(VECTORS, encoding="utf-8") as file:
            vectors = json.load(file)
        self.assertGreater(len(vectors), 0)
        for vector in vectors:
            with self.subTest(vector["note"]):
                self.assertEqual(vector["authorization"],
                                 peer.sign(vector["accessId"], vector["secretKey"], vector["signedPath"], vector["method"],
                                           vector["timestamp"]))

    def test_tql_is_percent_encoded_with_spaces_as_percent_20_as_the_vectors_sign_it(self):
        # the third vector's query is the floor's encoding of this TQL
        self.assertEqual("completedTime%20%3E%20%22NOW%28%29%20-%201%20HOUR%22", peer.encode('completedTime > "NOW() - 1 HOUR"'))


class AlertJsonTest(unittest.TestCase):
    # what the monitor's mapper (Jackson 2.19 with ExactJson's settings) writes for this input, taken from a run of it
    PAGE_RECORD = ('{"a":"x\\u001fy\\u0001\\u000bz\\\\u001f \\u2028 \\u007f \\u00e9 \\ud83d\\ude00 /",'
                   '"n":[1.10,1e5,-0.0,0.0000001,1.0E2,12345678901234567890123,-5],"id":1,"id":2}')
    JACKSON = ('{"a":"x\\u001Fy\\u0001\\u000Bz\\\\u001f \u2028 \u007f \u00e9 \U0001F600 /",'
               '"n":[1.10,1E+5,0.0,1E-7,1.0E+2,12345678901234567890123,-5],"id":2}')

    def test_record_is_written_byte_for_byte_as_jackson_writes_it(self):
        self.assertEqual(self.JACKSON, peer.dump(peer._DECODER.decode(self.PAGE_RECORD)))

    def test_record_without_decimals_takes_the_fast_path_with_the_same_escapes(self):
        record = {"id": 7, "exitMessage": "Out of memory \u2013 \"quoted\" \\ backslash\n\x1f", "ok": True, "x": None}
        self.assertEqual('{"id":7,"exitMessage":"Out of memory \u2013 \\"quoted\\" \\\\ backslash\\n\\u001F","ok":true,"x":null}',
                         peer.dump(record))

    def test_nan_is_not_json(self):
        with self.assertRaises(ValueError):
            peer._DECODER.decode('{"a":NaN}')


class FormatsTest(unittest.TestCase):

    def test_instants_are_written_as_java_instant_to_string_writes_them(self):
        utc = datetime.timezone.utc
        self.assertEqual("2026-11-28T10:15:30Z", peer.instant_text(datetime.datetime(2026, 11, 28, 10, 15, 30, tzinfo=utc)))
        self.assertEqual("2026-11-28T10:15:30.100Z",
                         peer.instant_text(datetime.datetime(2026, 11, 28, 10, 15, 30, 100000, tzinfo=utc)))
        self.assertEqual("2026-11-28T10:15:30.000100Z",
                         peer.instant_text(datetime.datetime(2026, 11, 28, 10, 15, 30, 100, tzinfo=utc)))

    def test_durations_are_read_as_java_duration_parse_reads_them(self):
        self.assertEqual(datetime.timedelta(minutes=10), peer.parse_duration("PT10M"))
        self.assertEqual(datetime.timedelta(days=1), peer.parse_duration("P1D"))
        self.assertEqual(datetime.timedelta(hours=1, minutes=30, milliseconds=500), peer.parse_duration("pt1h30m0.5s"))
        self.assertEqual(-datetime.timedelta(hours=2), peer.parse_duration("-PT2H"))
        for bad in ("P", "PT", "10M", "P1H"):
            with self.subTest(bad), self.assertRaises(ValueError):
                peer.parse_duration(bad)

    def test_timestamps_need_an_offset_and_the_iso_shape(self):
        self.assertEqual(datetime.datetime(2026, 11, 28, 9, 15, 30, tzinfo=datetime.timezone.utc),
                         peer.parse_instant("2026-11-28T10:15:30+01:00"))
        for unreadable in ("2026-11-28T10:15:30", "2026-11-28 10:15:30Z", "2026-W48-6T10:15:30Z", "yesterday", 1700000000):
            with self.subTest(unreadable):
                self.assertIsNone(peer.parse_instant(unreadable))

    def test_status_is_compared_as_java_equals_ignore_case_does(self):
        self.assertTrue(peer.is_failed("FAILED"))
        self.assertTrue(peer.is_failed("failed"))
        self.assertFalse(peer.is_failed("Completed"))
        self.assertFalse(peer.is_failed(None))


if __name__ == "__main__":
    unittest.main()
