#!/usr/bin/env bash
# run before hand/tr-2.jsonl (on the state left by hand/tr.jsonl): plants a project-shaped JSON file OUTSIDE DATA_DIR
echo '{"name":"victim","createdAt":"2026-01-01T00:00:00.000Z","categories":[{"id":"c1","name":"Secret","chunks":[{"_uid":"u1","id":"s1","text":"outside the data folder","metadata":{}}]}]}' > /tmp/holdout6/state/tr/victim.json
