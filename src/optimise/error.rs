//! The one error type of the `optimise` module.

use std::path::PathBuf;

/// Everything that can go wrong while building or solving a placement problem.
///
/// Each variant carries the values that caused it, so that its message alone tells a person
/// what to change (which file, line, field or id, and what was expected).
#[derive(Debug, thiserror::Error)]
pub enum OptimiseError {
    /// A problem needs at least one demand point to have anything to serve.
    #[error("the problem has no demand points; give at least one demand id with a weight")]
    EmptyDemand,

    /// A problem needs at least one candidate site to choose from.
    #[error("the problem has no candidate sites; give at least one candidate id")]
    EmptyCandidates,

    /// Two parallel lists that must have the same length do not.
    #[error("{what} has {found} entries but {expected} were expected (one per {per})")]
    LengthMismatch {
        /// Which list is wrong, e.g. "weights".
        what: &'static str,
        /// What each entry stands for, e.g. "demand point".
        per: &'static str,
        /// Length that was expected.
        expected: usize,
        /// Length that was given.
        found: usize,
    },

    /// A demand weight is negative, NaN or infinite.
    #[error(
        "demand {demand_id:?} has weight {}; weights must be finite and >= 0",
        crate::number::readable(.weight),
    )]
    InvalidWeight {
        /// Demand id.
        demand_id: String,
        /// The offending weight.
        weight: f64,
    },

    /// Weights that are each finite but add up past what a number can hold.
    #[error(
        "the demand weights add up to infinity (the largest is {}); give weights that are counts or shares of demand",
        crate::number::readable(.largest),
    )]
    InfiniteTotalWeight {
        /// The largest single weight.
        largest: f64,
    },

    /// Weights and costs whose weighted sum overflows: every total cost would be infinite.
    #[error(
        "total weight {} times the largest cost {} overflows to infinity; scale the weights or the costs down",
        crate::number::readable(.total_weight),
        crate::number::readable(.largest_cost),
    )]
    InfiniteTotalCost {
        /// Sum of the demand weights.
        total_weight: f64,
        /// The largest cost in the matrix.
        largest_cost: f64,
    },

    /// A cost is negative, NaN or infinite.
    #[error(
        "cost from demand {demand_id:?} to candidate {candidate_id:?} is {}; costs must be finite and >= 0 (leave unreachable pairs out)",
        crate::number::readable(.cost),
    )]
    InvalidCost {
        /// Demand id.
        demand_id: String,
        /// Candidate id.
        candidate_id: String,
        /// The offending cost.
        cost: f64,
    },

    /// A capacity is negative, NaN or infinite.
    #[error(
        "candidate {candidate_id:?} has capacity {}; capacities must be finite and >= 0",
        crate::number::readable(.capacity),
    )]
    InvalidCapacity {
        /// Candidate id.
        candidate_id: String,
        /// The offending capacity.
        capacity: f64,
    },

    /// The same demand id appears twice.
    #[error("demand id {id:?} appears more than once; demand ids must be unique")]
    DuplicateDemandId {
        /// The repeated id.
        id: String,
    },

    /// The same candidate id appears twice.
    #[error("candidate id {id:?} appears more than once; candidate ids must be unique")]
    DuplicateCandidateId {
        /// The repeated id.
        id: String,
    },

    /// The same (demand, candidate) pair has two costs.
    #[error(
        "the pair demand {demand_id:?} / candidate {candidate_id:?} has more than one cost; give each pair once"
    )]
    DuplicatePair {
        /// Demand id.
        demand_id: String,
        /// Candidate id.
        candidate_id: String,
    },

    /// An index into the demand, candidate or group list is out of range.
    #[error("{what} index {index} is out of range; there are {len}")]
    IndexOutOfRange {
        /// What the index points into.
        what: &'static str,
        /// The offending index.
        index: usize,
        /// Number of valid entries.
        len: usize,
    },

    /// A candidate id (fixed site, existing site) is not among the candidates.
    #[error("candidate id {id:?} is not among the candidate sites")]
    UnknownCandidate {
        /// The unknown id.
        id: String,
    },

    /// More new sites were asked for than there are free candidates.
    #[error(
        "asked for {p} new sites but only {available} candidates are not already fixed ({fixed} fixed); lower the number of facilities"
    )]
    TooManyFacilities {
        /// Requested number of new sites.
        p: usize,
        /// Candidates that are not fixed.
        available: usize,
        /// Fixed candidates.
        fixed: usize,
    },

    /// A coverage radius is negative or not a number.
    #[error(
        "coverage radius {} is invalid; it must be finite and >= 0",
        crate::number::readable(.radius),
    )]
    InvalidRadius {
        /// The offending radius.
        radius: f64,
    },

    /// A time limit that is not a positive number of seconds up to the maximum.
    #[error(
        "time limit {} s is invalid; give a number of seconds above 0 and at most {max_s}",
        crate::number::readable(.time_limit_s),
    )]
    InvalidTimeLimit {
        /// The offending limit.
        time_limit_s: f64,
        /// The largest limit accepted.
        max_s: f64,
    },

    /// A share (of weight, of a group) is outside 0..=1.
    #[error(
        "{what} {} is invalid; it must be between 0 and 1",
        crate::number::readable(.share),
    )]
    InvalidShare {
        /// What the share is for.
        what: &'static str,
        /// The offending share.
        share: f64,
    },

    /// A cost given for unassigned demand is negative or not a number.
    #[error(
        "cost for unassigned demand {} is invalid; it must be finite and >= 0",
        crate::number::readable(.cost),
    )]
    InvalidUnassignedCost {
        /// The offending cost.
        cost: f64,
    },

    /// A demand point that must be covered has no candidate within the radius.
    #[error(
        "demand {demand_id:?} has no candidate site within {}, so it cannot be covered; raise the radius, add a candidate or ask for a share of the weight",
        crate::number::readable(.radius),
    )]
    UncoverableDemand {
        /// Demand id.
        demand_id: String,
        /// Coverage radius used.
        radius: f64,
    },

    /// A demand point that must be assigned reaches no candidate at all.
    #[error(
        "demand {demand_id:?} (weight {}) reaches no candidate site in the cost matrix; give a cost for unassigned demand or add a reachable candidate",
        crate::number::readable(.weight),
    )]
    UnreachableDemand {
        /// Demand id.
        demand_id: String,
        /// Its weight.
        weight: f64,
    },

    /// The requested covered weight is more than all candidates together can cover.
    #[error(
        "the target asks for {} covered weight but opening every candidate covers only {}; lower the share or raise the radius",
        crate::number::readable(.required),
        crate::number::readable(.reachable),
    )]
    TargetUnreachable {
        /// Weight that must be covered.
        required: f64,
        /// Weight that all candidates together cover.
        reachable: f64,
    },

    /// The model has no feasible solution under the given constraints.
    #[error("{model} has no feasible solution: {reason}")]
    Infeasible {
        /// Model name.
        model: &'static str,
        /// Why, in words a person can act on.
        reason: String,
    },

    /// A group did not reach its required covered share.
    #[error(
        "group {group:?} is covered at {share:.4} of its weight but {required:.4} is required; lower the share, add facilities or try the exact solver"
    )]
    GroupShareNotReached {
        /// Group name.
        group: String,
        /// Share reached.
        share: f64,
        /// Share required.
        required: f64,
    },

    /// An option was asked for that the chosen model does not support.
    #[error("{model} does not support {feature}")]
    Unsupported {
        /// Model name.
        model: &'static str,
        /// The unsupported option.
        feature: &'static str,
    },

    /// Capacities were asked for but the problem has none.
    #[error("a capacitated solve was asked for but the problem has no candidate capacities")]
    CapacitiesMissing,

    /// Group fairness was asked for but the problem has no groups.
    #[error("a group share was asked for but the problem has no demand groups")]
    GroupsMissing,

    /// Phase sizes must grow strictly and each phase must add at least one site.
    #[error(
        "phase sizes {sizes:?} are invalid; give strictly increasing numbers of new sites, e.g. 5,10,30"
    )]
    InvalidPhases {
        /// The offending sizes.
        sizes: Vec<usize>,
    },

    /// The caller asked to stop.
    #[error("the solve was cancelled")]
    Cancelled,

    /// This build has no MIP solver (the `cbc` feature is off).
    #[error(
        "this build has no exact MIP solver; use the heuristic or auto solver, or rebuild with `--features cbc` (needs Debian's coinor-libcbc-dev)"
    )]
    NoMipSolver,

    /// The MIP solver failed in a way that is not infeasibility.
    #[error("the MIP solver failed: {message}")]
    Solver {
        /// What the solver reported.
        message: String,
    },

    /// A file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A CSV record or field is malformed.
    #[error("{path}:{line}: field {field:?}: {message}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line number (the header is line 1).
        line: u64,
        /// The column name.
        field: String,
        /// What was wrong and what was expected.
        message: String,
    },

    /// A CSV file lacks a required column.
    #[error(
        "{path}: missing column {column:?} in the header (found: {}); expected columns {expected}",
        found.join(", ")
    )]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The missing column.
        column: String,
        /// The columns the header has.
        found: Vec<String>,
        /// The columns the file should have.
        expected: &'static str,
    },

    /// A model needs an argument that was not given.
    #[error("model {model} needs {argument}")]
    MissingArgument {
        /// Model name.
        model: &'static str,
        /// The missing argument, as the user would type it.
        argument: &'static str,
    },

    /// Both counts of sites were given; they say the same thing two ways.
    #[error(
        "model {model} got both facilities (all open sites) and add (new sites); give one of them"
    )]
    BothCounts {
        /// Model name.
        model: &'static str,
    },

    /// The number of open sites asked for is below the sites already fixed open.
    #[error(
        "facilities = {facilities} counts every open site, but {fixed} are already fixed open; give at least {fixed} (or add = K for K new sites)"
    )]
    FacilitiesBelowFixed {
        /// Open sites asked for.
        facilities: usize,
        /// Sites fixed open.
        fixed: usize,
    },

    /// A model name was not recognised.
    #[error("unknown model {name:?}; expected one of mclp, lscp, pmedian, pcenter")]
    UnknownModel {
        /// The given name.
        name: String,
    },

    /// A solver name was not recognised.
    #[error("unknown solver {name:?}; expected one of heuristic, exact, auto")]
    UnknownSolver {
        /// The given name.
        name: String,
    },
}

impl OptimiseError {
    /// True when the question asked is at fault (a 4xx answer over HTTP); false for faults of
    /// the program or its build — the MIP solver failing, no MIP solver built in, lists built
    /// inconsistently — which are a 500 and logged.
    pub fn is_user_error(&self) -> bool {
        !matches!(
            self,
            OptimiseError::Solver { .. }
                | OptimiseError::NoMipSolver
                | OptimiseError::LengthMismatch { .. }
                | OptimiseError::IndexOutOfRange { .. }
        )
    }
}
