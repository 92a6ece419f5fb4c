/*
 * A libpq 17 program that cancels its own running query the way PostgreSQL 17's clients do:
 * PQcancelCreate and PQcancelBlocking open a cancel connection with the session's own options,
 * so the CancelRequest travels inside TLS (and with the session's server name). Prints the
 * SQLSTATE of each error the query ends with.
 *
 * The declarations stand in for libpq-fe.h, which this machine has only for libpq 15 (the cancel
 * API is new in 17); the program links against libpq 17 from the embedded PostgreSQL archive.
 */
#include <stdio.h>
#include <unistd.h>

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;
typedef struct pg_cancel_conn PGcancelConn;

extern PGconn *PQconnectdb(const char *conninfo);
extern int PQstatus(const PGconn *conn); /* CONNECTION_OK is 0 */
extern char *PQerrorMessage(const PGconn *conn);
extern int PQsendQuery(PGconn *conn, const char *query);
extern PGresult *PQgetResult(PGconn *conn);
extern char *PQresultErrorField(const PGresult *res, int fieldcode);
extern void PQclear(PGresult *res);
extern void PQfinish(PGconn *conn);
extern PGcancelConn *PQcancelCreate(PGconn *conn);
extern int PQcancelBlocking(PGcancelConn *cancelConn);
extern char *PQcancelErrorMessage(const PGcancelConn *cancelConn);
extern void PQcancelFinish(PGcancelConn *cancelConn);

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: libpq17_cancel CONNINFO\n");
    return 2;
  }
  PGconn *conn = PQconnectdb(argv[1]);
  if (PQstatus(conn) != 0) {
    fprintf(stderr, "connect: %s", PQerrorMessage(conn));
    return 2;
  }
  if (!PQsendQuery(conn, "select pg_sleep(20)")) {
    fprintf(stderr, "query: %s", PQerrorMessage(conn));
    return 2;
  }
  usleep(500 * 1000);
  PGcancelConn *cancel = PQcancelCreate(conn);
  if (!PQcancelBlocking(cancel)) {
    fprintf(stderr, "cancel: %s", PQcancelErrorMessage(cancel));
    return 3;
  }
  PQcancelFinish(cancel);
  PGresult *res;
  while ((res = PQgetResult(conn)) != NULL) {
    char *sqlstate = PQresultErrorField(res, 'C');
    if (sqlstate != NULL) {
      printf("%s\n", sqlstate);
    }
    PQclear(res);
  }
  PQfinish(conn);
  return 0;
}
