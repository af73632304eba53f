"""`make bench`: measurements that are not tests. They assert nothing; they print `name: value`
lines and write them to bench/results/latest.json.

Today there is one suite, signaling (bench/signaling): the server CPU and the latency of a
relayed socket.io message, for fayuan and two reference servers, side by side in one run.
"""
