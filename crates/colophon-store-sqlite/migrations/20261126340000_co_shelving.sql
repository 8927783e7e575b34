-- Co-shelving (volumes.associated.list, recommendations): who shelved a volume, found by
-- volume first.
CREATE INDEX shelf_volumes_by_volume_first ON shelf_volumes (volume_id, user_id);
