//! sluice-store's integration tests: one conformance suite, run against every backend.
//!
//! Each case in `cases/` is an `async fn(&Store)` written once; `conformance!` makes a SQLite
//! test and a PostgreSQL test of it (`sqlite::<module>::<case>`, `postgres::<module>::<case>`).
//! The PostgreSQL tests need `SLUICE_TEST_DATABASE_URL` (e.g. through `scripts/with-postgres`)
//! and otherwise print that they were skipped.

mod cases;
mod connect;
mod harness;

/// Generates, for each listed case, one test per backend.
macro_rules! conformance {
    ($($module:ident { $($case:ident),* $(,)? })*) => {
        mod sqlite {
            $(mod $module {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $case() {
                        let db = crate::harness::TestDb::sqlite().await;
                        db.run(|store| async move { crate::cases::$module::$case(&store).await }).await;
                    }
                )*
            })*
        }
        mod postgres {
            $(mod $module {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $case() {
                        let test = concat!(stringify!($module), "::", stringify!($case));
                        let Some(db) = crate::harness::TestDb::postgres(test).await else { return };
                        db.run(|store| async move { crate::cases::$module::$case(&store).await }).await;
                    }
                )*
            })*
        }
    };
}

conformance! {
    pipelines {
        create_then_get,
        duplicate_name_is_refused,
        update_adds_a_version_and_keeps_the_old_ones,
        update_of_a_missing_pipeline_is_not_found,
        declaration_keeps_its_key_order,
        list_pages_by_name,
        delete_removes_everything_the_pipeline_owns,
        tags_are_merged_and_removed,
    }
    commit {
        first_commit_creates_the_state,
        second_commit_from_the_same_revision_conflicts_and_writes_nothing,
        concurrent_commits_from_one_revision_one_wins,
        failed_commit_writes_nothing_at_all,
        completing_a_job_records_its_result_once,
        commit_for_a_missing_pipeline_is_not_found,
        rows_of_another_pipeline_are_refused,
        executions_are_upserted,
        client_request_tokens_are_used_once,
        cancel_requests_reach_queued_and_leased_jobs,
    }
    jobs {
        claims_need_all_the_job_labels,
        claims_take_the_oldest_job_first,
        concurrent_claimers_never_share_a_job,
        heartbeat_extends_the_lease,
        requeue_then_reclaim_raises_the_token_and_fences_the_old_one,
        requeue_of_a_cancelled_job_cancels_it,
        expired_leases_are_listed_not_taken_over,
    }
    timers {
        due_next_move_and_clear,
    }
    outbox {
        pending_in_order_then_acknowledged,
    }
    executions {
        listed_newest_first_in_pages,
    }
    agents {
        tokens_are_created_found_by_hash_and_deleted,
        agents_register_with_labels_and_go_with_their_token,
    }
    credentials {
        users_are_created_listed_and_given_roles,
        access_keys_belong_to_an_existing_user,
        disabled_keys_are_kept_and_flagged,
        deleting_a_user_deletes_its_keys,
    }
    resources {
        insert_get_update_delete,
        counters_count_once_per_call,
        listings_page_by_parent_in_both_orders,
    }
}
