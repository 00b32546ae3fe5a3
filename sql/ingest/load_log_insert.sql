-- One file's line in the load log: what it was and where each of its rows went.
insert into raw.load_log values
($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
