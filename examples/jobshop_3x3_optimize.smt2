; The 3-job, 3-machine job shop of jobshop_3x3.smt2, optimized: the least makespan.
; (minimize ...) is the OMT extension Z3 reads; eagersmt solve prints the optimum with
; (get-objectives) as Z3 does.
; Job j runs its operations in order on the machines listed; s_j_k is the start of
; operation k of job j.  Durations:  job 0: m0 3, m1 2, m2 2
;                                    job 1: m0 2, m2 1, m1 4
;                                    job 2: m1 4, m2 3
(set-info :smt-lib-version 2.6)
(set-logic QF_IDL)
(declare-fun s_0_0 () Int)
(declare-fun s_0_1 () Int)
(declare-fun s_0_2 () Int)
(declare-fun s_1_0 () Int)
(declare-fun s_1_1 () Int)
(declare-fun s_1_2 () Int)
(declare-fun s_2_0 () Int)
(declare-fun s_2_1 () Int)
(declare-fun makespan () Int)
; operations start at time 0 or later
(assert (and (>= s_0_0 0) (>= s_1_0 0) (>= s_2_0 0)))
; precedence inside each job
(assert (>= (- s_0_1 s_0_0) 3))
(assert (>= (- s_0_2 s_0_1) 2))
(assert (>= (- s_1_1 s_1_0) 2))
(assert (>= (- s_1_2 s_1_1) 1))
(assert (>= (- s_2_1 s_2_0) 4))
; every job ends by the makespan
(assert (<= (+ s_0_2 2) makespan))
(assert (<= (+ s_1_2 4) makespan))
(assert (<= (+ s_2_1 3) makespan))
; a machine runs one operation at a time: one of each pair goes first
(assert (or (>= (- s_1_0 s_0_0) 3) (>= (- s_0_0 s_1_0) 2)))   ; machine 0
(assert (or (>= (- s_1_2 s_0_1) 2) (>= (- s_0_1 s_1_2) 4)))   ; machine 1
(assert (or (>= (- s_2_0 s_0_1) 2) (>= (- s_0_1 s_2_0) 4)))
(assert (or (>= (- s_2_0 s_1_2) 4) (>= (- s_1_2 s_2_0) 4)))
(assert (or (>= (- s_1_1 s_0_2) 2) (>= (- s_0_2 s_1_1) 1)))   ; machine 2
(assert (or (>= (- s_2_1 s_0_2) 2) (>= (- s_0_2 s_2_1) 3)))
(assert (or (>= (- s_2_1 s_1_1) 1) (>= (- s_1_1 s_2_1) 3)))
(minimize makespan)
(check-sat)
(get-objectives)
(get-value (makespan s_2_0))
