//! Reading files the school already has into domain values. Pure apart from
//! reading the file itself; nothing here touches the store.

pub mod checkpoints;
pub mod duty;
pub mod roster;
pub mod summary;
