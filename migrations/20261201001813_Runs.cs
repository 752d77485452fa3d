using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace PgClone.Web.Migrations
{
    /// <inheritdoc />
    public partial class Runs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "clone_profiles",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Description = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    SourceConnectionId = table.Column<int>(type: "integer", nullable: false),
                    TargetConnectionId = table.Column<int>(type: "integer", nullable: false),
                    Operation = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Schema = table.Column<string>(type: "text", nullable: true),
                    Table = table.Column<string>(type: "text", nullable: true),
                    OptionsJson = table.Column<string>(type: "jsonb", nullable: true),
                    RolesJson = table.Column<string>(type: "jsonb", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_clone_profiles", x => x.Id);
                    table.ForeignKey(
                        name: "FK_clone_profiles_connections_SourceConnectionId",
                        column: x => x.SourceConnectionId,
                        principalTable: "connections",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_clone_profiles_connections_TargetConnectionId",
                        column: x => x.TargetConnectionId,
                        principalTable: "connections",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "run_checkpoints",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    JobId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Payload = table.Column<string>(type: "jsonb", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_run_checkpoints", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "runs",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    StartedByKind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    StartedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    ProfileId = table.Column<int>(type: "integer", nullable: true),
                    SubmittedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    SourceConnectionId = table.Column<int>(type: "integer", nullable: true),
                    SourceName = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    SourceEnvironment = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    SourceServer = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    TargetConnectionId = table.Column<int>(type: "integer", nullable: true),
                    TargetName = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    TargetEnvironment = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    Operation = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Schema = table.Column<string>(type: "text", nullable: true),
                    Table = table.Column<string>(type: "text", nullable: true),
                    OptionsJson = table.Column<string>(type: "jsonb", nullable: true),
                    RolesJson = table.Column<string>(type: "jsonb", nullable: true),
                    Masked = table.Column<bool>(type: "boolean", nullable: false),
                    ProductionConfirmed = table.Column<bool>(type: "boolean", nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    QueueReason = table.Column<string>(type: "text", nullable: true),
                    Phase = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    TablesTotal = table.Column<int>(type: "integer", nullable: false),
                    TablesCompleted = table.Column<int>(type: "integer", nullable: false),
                    TablesFailed = table.Column<int>(type: "integer", nullable: false),
                    Rows = table.Column<long>(type: "bigint", nullable: false),
                    Bytes = table.Column<long>(type: "bigint", nullable: false),
                    BytesEstimated = table.Column<long>(type: "bigint", nullable: false),
                    SourceSessions = table.Column<int>(type: "integer", nullable: false),
                    Error = table.Column<string>(type: "text", nullable: true),
                    PhaseSecondsJson = table.Column<string>(type: "jsonb", nullable: true),
                    NotesJson = table.Column<string>(type: "jsonb", nullable: true),
                    ResumedFromRunId = table.Column<long>(type: "bigint", nullable: true),
                    EngineJobId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    Instance = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    CancelRequested = table.Column<bool>(type: "boolean", nullable: false),
                    CancelledBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_runs", x => x.Id);
                    table.ForeignKey(
                        name: "FK_runs_clone_profiles_ProfileId",
                        column: x => x.ProfileId,
                        principalTable: "clone_profiles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_runs_connections_SourceConnectionId",
                        column: x => x.SourceConnectionId,
                        principalTable: "connections",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_runs_connections_TargetConnectionId",
                        column: x => x.TargetConnectionId,
                        principalTable: "connections",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_runs_runs_ResumedFromRunId",
                        column: x => x.ResumedFromRunId,
                        principalTable: "runs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "run_tables",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RunId = table.Column<long>(type: "bigint", nullable: false),
                    Table = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Rows = table.Column<long>(type: "bigint", nullable: false),
                    Bytes = table.Column<long>(type: "bigint", nullable: false),
                    Seconds = table.Column<double>(type: "double precision", nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Error = table.Column<string>(type: "text", nullable: true),
                    CopiedByJob = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_run_tables", x => x.Id);
                    table.ForeignKey(
                        name: "FK_run_tables_runs_RunId",
                        column: x => x.RunId,
                        principalTable: "runs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_clone_profiles_Name",
                table: "clone_profiles",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_clone_profiles_SourceConnectionId",
                table: "clone_profiles",
                column: "SourceConnectionId");

            migrationBuilder.CreateIndex(
                name: "IX_clone_profiles_TargetConnectionId",
                table: "clone_profiles",
                column: "TargetConnectionId");

            migrationBuilder.CreateIndex(
                name: "IX_run_checkpoints_JobId_Id",
                table: "run_checkpoints",
                columns: new[] { "JobId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_run_tables_RunId_Table",
                table: "run_tables",
                columns: new[] { "RunId", "Table" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_runs_ProfileId",
                table: "runs",
                column: "ProfileId");

            migrationBuilder.CreateIndex(
                name: "IX_runs_ResumedFromRunId",
                table: "runs",
                column: "ResumedFromRunId");

            migrationBuilder.CreateIndex(
                name: "IX_runs_SourceConnectionId",
                table: "runs",
                column: "SourceConnectionId");

            migrationBuilder.CreateIndex(
                name: "IX_runs_Status_SourceServer",
                table: "runs",
                columns: new[] { "Status", "SourceServer" });

            migrationBuilder.CreateIndex(
                name: "IX_runs_SubmittedAt",
                table: "runs",
                column: "SubmittedAt");

            migrationBuilder.CreateIndex(
                name: "IX_runs_TargetConnectionId",
                table: "runs",
                column: "TargetConnectionId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "run_checkpoints");

            migrationBuilder.DropTable(
                name: "run_tables");

            migrationBuilder.DropTable(
                name: "runs");

            migrationBuilder.DropTable(
                name: "clone_profiles");
        }
    }
}
