-- What discovery and the version choice record about each file (gongkai.sources.scan_folder,
-- gongkai.warehouse.versions.choose_current). Columns are only ever added.

-- a byte-identical copy of another file filed for the same unit (or a link to a file inside
-- the raw folder): the submission_id it duplicates; such a row has status 'duplicate' and is
-- never read
alter table submissions add column if not exists duplicate_of varchar;
-- the file's modification time when last discovered (UTC): the newer of two readable files
-- of one unit-year is current
alter table submissions add column if not exists file_mtime timestamp;
-- why this submission is the current one of its unit-year (null when it is not current)
alter table submissions add column if not exists current_reason varchar;

-- entries a run recorded as duplicates, and entries it skipped with a logged line
alter table runs add column if not exists files_duplicate integer;
alter table runs add column if not exists files_skipped integer;
