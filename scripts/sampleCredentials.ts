/**
 * Sample credentials for the events in events/ (`npm run events`) and the tests that replay them.
 * They are published here on purpose, so they are worth nothing: never configure them on a real
 * gateway. The SigV4 pair signs the `*-sigv4` samples; the RSA key signs the `*-jwt` samples' token
 * for the sample issuer (its public half is what a test's JWKS serves).
 */
import type { JWK } from 'jose';

/** When the samples were made (their X-Amz-Date, the JWT's iat); SigV4 accepts them for 5 minutes around it. */
export const SAMPLE_TIME = Date.UTC(2026, 10, 26, 0, 0, 0);

export const SAMPLE_SIGV4 = Object.freeze({
  accessKeyId: 'AKIDSAMPLEGATEWAY01',
  secretAccessKey: 'sample-secret-published-in-the-repo-do-not-use',
  name: 'sample-signer',
});

export const SAMPLE_JWT = Object.freeze({
  issuer: 'https://issuer.example.com',
  audience: 'sample-client',
  subject: 'sample-service',
  kid: 'sample-key-1',
});

/** RSA, generated once for the samples; the public half is SAMPLE_JWT_PUBLIC_JWK. */
export const SAMPLE_JWT_PRIVATE_JWK: JWK = Object.freeze({"kty": "RSA", "n": "r40BIOzpuPgO9XuDF7OmFBtfTY0uDezoaJObypHJ1tVTgSgbhYO0dmGlVq-Fy4xkMRYlq4qCtxsMT2cxLwdlVI8DaIAohVSLdQkQkUPsYpR64Eo1LHEqzc07TYCypz0zAp_iFhTZOkj1ygP9p8LgP6WUf1iuD3HdVI-tKpjxcWYPDmhR0mjxOSLtG8At9dg0q94N6RH8HdQB2YBFbuHax8DjPz_AA_WASg4AyQlocOMghYxt1z4WatEefOT1Uv_y6tXn-CTNRKFSmCrsjia41WeY8246FLRHVV7BrMuUdq8grI6ec7VQTMiMsUQBITn-d2L225n0malg9n880ptDiw", "e": "AQAB", "d": "AhuPHL5AwhvsULiGZuWdGVcIymK8X6YYAOVrdJT9LOChINxX6ZRJZDXLk-JbQ18woWw9ezVDA4Abd4_qxcCbeqvq47l3gxOe8a1FryYhyOnfyHXrny3OpeuQX4pWMBl_1XNmS1M9wRbjfeTqtIsWQSgI7ox52S1J9dFxx_X6dBzl7PGxzXlpBQZKPTNNwFYujBSX8RGXGrfv1CfXOqChHrHQgMBjL_qbn2ShF7Sg5VHTTwAsNwtRrqXCPpblHckt601EYpc3l2TFc2PDFHQAESmmAlZ8Pj51wSoGUco4T7DeJwGJZIMPfbSFPVZITc23XdephX0f6m9cXVq3IMmf7Q", "p": "9cqw7oWp071Kbz-4z3BosuWlG3gktYPaMnHtZ65Z6upV6lsvZFfekO5JRt7km03HKcxtkl1Ls0Ub3Ottu22XkJaxsTHPtl1DMOEiHAVjb5ZPshFDiitv1qFSsK3R8mktGUVR3L8Dj0kwQBFDvVdA0YW_U-Ea7Aqd0ZuCVQ4kdE0", "q": "ttd_LxRkEnFjRzP4F9-ihFiWGYoTxiYHFIMseKGdOLF2S54z13V_H7pBnOdAiC3GIwcoVLV5xQkmdeQrPjrFejGzonWOkFVh3qO3DU46JHuKC6crvs2LzUfUfYIGqyMxt5-7u3Q8MQMoSWr2BkTXqbLIOqc2SyDuV93c6vc-4zc", "dp": "lIgsa7eybRZSyO_FCvZvDszf_b2Y0Wggj6NxR9qA1AlQahM4jHbdNNAK0B0aIQ_bb1LuVCi0-lyk_df3s_ACS4oFT4M-doHdfMhQCIbpFCHNf1oXaoPdTeKnScWAvfD5I_BUDAYSbKBZ3B2SxfTYYsVkXZgG4OV5gZVsKWImfXE", "dq": "Yz4Mto0m1CvfayJ2It8r4xICRtJ_cSnq5eNdHAz8vWz1fI3eLbCE07_RJU0P5dqSlSipZ3EpKx2QVqUGI7zauzyG-EM-onD1slbCYOJ5BJxZjYGraOFAZKf8WjNdUz7DGZwF1fV9Rk0kbNU1vKlZNa7op41jFtxFAkRWSOLyq3k", "qi": "MYvJA9ssFckysLbh_mpMrBb7hLD6OhIDld7wXykfJzcfF7AQ4Ni21yUDftewzud8nlZMfjKYXtfAbCh6MnWvcMuD4J2ioTfBpVH2xR2d6U6Zq_i8hjDOflgH3SRi2smqWyvnsqkQCfuLZv7yUUy-GBkaoN2cYfjt6MlbLUXkW4s"});

export const SAMPLE_JWT_PUBLIC_JWK: JWK = Object.freeze({ ...{"kty": "RSA", "n": "r40BIOzpuPgO9XuDF7OmFBtfTY0uDezoaJObypHJ1tVTgSgbhYO0dmGlVq-Fy4xkMRYlq4qCtxsMT2cxLwdlVI8DaIAohVSLdQkQkUPsYpR64Eo1LHEqzc07TYCypz0zAp_iFhTZOkj1ygP9p8LgP6WUf1iuD3HdVI-tKpjxcWYPDmhR0mjxOSLtG8At9dg0q94N6RH8HdQB2YBFbuHax8DjPz_AA_WASg4AyQlocOMghYxt1z4WatEefOT1Uv_y6tXn-CTNRKFSmCrsjia41WeY8246FLRHVV7BrMuUdq8grI6ec7VQTMiMsUQBITn-d2L225n0malg9n880ptDiw", "e": "AQAB"}, kid: SAMPLE_JWT.kid, alg: 'RS256', use: 'sig' });
